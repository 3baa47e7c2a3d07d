"""Hypothesis profiles: `ci` (default, a few dozen cases per public endpoint, for
`make test`) and `bench` (hundreds per endpoint, thousands in all, for `make bench`).
Pick one with HYPOTHESIS_PROFILE=bench."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

common = {
    "deadline": None,
    "database": None,  # no .hypothesis/ folder in the repository
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
# CI is derandomized (the same cases every run, so a red build is reproducible);
# `make bench` draws new cases every time.
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), derandomize=True, **common)
settings.register_profile("bench", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), **common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

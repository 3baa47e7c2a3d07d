"""Bench-only settings: the app's settings plus one bare view (bench/urls_bench.py)."""

from concerted.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"

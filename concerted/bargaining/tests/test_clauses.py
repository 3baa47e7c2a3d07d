"""The clause library is complete enough to use and honest about what was checked."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

from concerted.bargaining import clauses

REQUIRED = {
    "wga-2023-art-72",
    "sag-aftra-2023-ai",
    "cwa-microsoft-2023",
    "afl-cio-workers-first",
    "ca-sb-7",
    "eu-ai-act-art-26-7",
    "eu-ai-act-art-14",
    "eu-ai-act-art-5-1-f",
    "gdpr-art-22",
    "eu-platform-work-directive",
    "nyc-ll-144",
    "co-sb-26-189",
    "il-hb-3773",
}


def test_it_has_at_least_twelve_clauses_including_the_ones_campaigns_ask_for():
    keys = [c.key for c in clauses.CLAUSES]
    assert len(keys) == len(set(keys)) >= 12
    assert REQUIRED <= set(keys)


def test_every_clause_is_complete_and_dated():
    for c in clauses.CLAUSES:
        for field in ("title", "jurisdiction", "status", "summary", "model_language", "verification"):
            assert getattr(c, field).strip(), (c.key, field)
        assert urlparse(c.source_url).scheme == "https" and urlparse(c.source_url).netloc, c.key
        parts = c.date.split("-")
        assert 1 <= len(parts) <= 3 and 2000 < int(parts[0]) <= 2026, c.key
        if len(parts) == 3:
            datetime.date.fromisoformat(c.date)
        assert isinstance(c.confirmed, bool)


def test_the_vetoed_bill_says_so():
    sb7 = clauses.get("ca-sb-7")
    assert "Vetoed" in sb7.status and "model" in sb7.status


def test_some_clauses_are_marked_unconfirmed():
    assert any(not c.confirmed for c in clauses.CLAUSES)
    assert all(c.verification for c in clauses.CLAUSES if not c.confirmed)


def test_the_human_decision_demand_is_ready_and_backed_by_real_clauses():
    demand = clauses.HUMAN_DECISION_DEMAND
    assert "final decision" in demand["text"]
    assert all(clauses.get(k) for k in demand["clauses"])

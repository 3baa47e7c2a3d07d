"""Crash drill, short form (the full form runs in `make bench`): sign with several
concurrent clients, kill -9 gunicorn's whole process group mid-load (and on PostgreSQL
the database server too), restart, keep signing; every acknowledged signature must be
present exactly once and SQLite's integrity check must pass."""

from __future__ import annotations

import os

import pytest

from bench import drills

pytestmark = pytest.mark.slow

VENDOR = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def test_it_keeps_every_acknowledged_signature_through_kill_9():
    summary = drills.crash_drill(VENDOR, seconds=4, clients=6, kills=1, kill_db=True)
    assert summary["acknowledged"] > 0
    assert summary["lost"] == 0
    assert summary["twice"] == 0
    assert summary["receipts_missing"] == 0
    assert summary["integrity"].startswith("ok")
    assert summary["acknowledged"] <= summary["rows"] <= summary["attempted"]

"""Two app servers behind Caddy sharing one PostgreSQL (the docs/OPERATIONS.md layout):
signatures under load, one server killed with kill -9 mid-way; every acknowledged
signature is stored exactly once and the other server carries on."""

from __future__ import annotations

import os

import pytest

from bench import drills

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (the PostgreSQL pass: scripts/with-postgres)",
    ),
]


def test_it_keeps_every_acknowledged_signature_when_one_of_two_servers_dies():
    summary = drills.two_servers_drill(seconds=6, clients=6)
    assert summary["acknowledged"] > 0
    assert summary["lost"] == 0 and summary["twice"] == 0 and summary["receipts_missing"] == 0


@pytest.mark.skip(reason="the shared rate-limit assertion is added by the lead after merging i11")
def test_the_shared_rate_limit_holds_across_both_servers():
    """See drills.check_shared_rate_limit: both servers behind Caddy, one limit."""

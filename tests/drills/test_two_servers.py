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


def test_the_shared_rate_limit_holds_across_both_servers():
    """One client's POSTs, alternating between the two app servers or spread by Caddy, are
    refused after the limit in total; the ceiling on all clients together holds in total.
    The control (no memcached: each server counts alone) lets through what the shared
    limiter refuses, so the numbers below are the limiter's doing."""
    summary = drills.shared_rate_limit_drill()
    per, ceiling = drills.PER_CLIENT, drills.GLOBAL
    assert summary["shared"] == {
        "per_client_direct": per,
        "per_client_caddy": per,  # forged X-Forwarded-For entries changed nothing
        "second_client_caddy": per,  # Caddy names each client: not one address for all
        "global_direct": ceiling - 22,  # every POST before counted toward the ceiling
    }, summary
    assert summary["per_server"] == {
        "per_client_direct": 2 * per,
        "per_client_caddy": 6,
        "second_client_caddy": 6,
        "global_direct": 12,
    }, summary

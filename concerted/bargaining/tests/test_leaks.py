"""Invariant 1: what a coworker types in a report or proposal is not in the database
file, its WAL, or the logs — read as raw bytes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.bargaining.models import Proposal, SurveillanceReport
from concerted.core.testing import assert_absent, database_bytes

pytestmark = pytest.mark.django_db(transaction=True)

TOOL = "Glimmerwatch-Sentinel-5150"
DETAILS = "Orvalda Thistlewood saw the screenshots of the night crew"
PROPOSAL = "Quorvex-demand-ban-the-keylogger-8812"


def test_free_text_is_sealed_at_rest(kit):
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = client.post(
        reverse("bargaining:report_surveillance", args=[kit.slug]),
        {"tool": "6", "tool_other": TOOL, "captures": ["cap_keystrokes"], "details": DETAILS},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("bargaining:report_pressure", args=[kit.slug]),
        {"counted": ["cnt_tokens"], "details": DETAILS + " again"},
    )
    assert response.status_code == 302
    assert client.post(reverse("bargaining:propose", args=[kit.slug]), {"demand": PROPOSAL}).status_code == 302
    # A rejected form (the tool name missing) re-renders what was typed; nothing is stored.
    client.post(reverse("bargaining:report_surveillance", args=[kit.slug]), {"tool": "6", "details": DETAILS})
    assert SurveillanceReport.objects.count() == 1 and Proposal.objects.count() == 1
    raw = database_bytes()
    assert len(raw) > 10_000
    assert_absent(raw, TOOL, DETAILS, "Thistlewood", PROPOSAL, "203.0.113.9")
    assert SurveillanceReport.objects.get().sealed


def test_the_check_can_fail(kit):
    """The same read finds text that is stored in the clear (a committee-written demand)."""
    from concerted.bargaining.models import Demand

    Demand.objects.create(kit=kit, title="Plain-demand-canary-3141", text="x")
    with pytest.raises(AssertionError):
        assert_absent(database_bytes(), "Plain-demand-canary-3141")

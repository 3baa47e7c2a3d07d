from __future__ import annotations

import pytest

from concerted.bargaining.models import Demand, Kit


@pytest.fixture
def kit(campaign):
    return Kit.objects.create(campaign=campaign, reports_open=True, proposals_open=True, voting_open=True)


@pytest.fixture
def demands(kit):
    return [
        Demand.objects.create(kit=kit, title=title, text=f"We demand: {title}.", status=Demand.Status.BALLOT)
        for title in ("Human decides", "No keyloggers", "No leaderboards")
    ]


@pytest.fixture
def ballot_codes(kit):
    from concerted.invites import codes

    _batch, made = codes.create_batch(kit.campaign, "ballot", kit.pk, 10, "test")
    return made

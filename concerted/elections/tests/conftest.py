from __future__ import annotations

import pytest

from concerted.elections import ballotbox, trustee_tool
from concerted.elections.demo import Ceremony, run_ceremony
from concerted.elections.models import Election, Trustee

__all__ = ["Ceremony", "run_ceremony"]


def decrypt_and_tally(c: Ceremony, trustees: tuple[int, ...] = (1, 2)) -> None:
    for i in trustees:
        shares = trustee_tool.decrypt(c.states[i], ballotbox.board(c.election))
        ballotbox.post_partial(Trustee.objects.get(election=c.election, index=i), shares)
    ballotbox.publish_tally(c.election)


@pytest.fixture
def election(campaign) -> Election:
    return Election.objects.create(
        campaign=campaign,
        title="Strike authorization",
        question="Authorize a strike?",
        kind=Election.Kind.YES_NO,
        pass_rule=Election.PassRule.MORE_THAN,
        pass_percent=66,
        trustee_count=3,
        threshold=2,
    )


@pytest.fixture
def ceremony(election) -> Ceremony:
    return run_ceremony(election)


@pytest.fixture
def open_election(ceremony) -> Ceremony:
    ballotbox.open_voting(ceremony.election)
    ceremony.election.refresh_from_db()
    return ceremony


@pytest.fixture
def seats(campaign) -> Election:
    """A choose-up-to-2-of-3 election (officers), being set up."""
    return Election.objects.create(
        campaign=campaign,
        title="Stewards",
        question="Who should be stewards?",
        kind=Election.Kind.UP_TO,
        options=["Ana", "Bo", "Cy"],
        max_choices=2,
        trustee_count=3,
        threshold=2,
    )

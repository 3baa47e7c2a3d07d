from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from concerted.elections import ballotbox, trustee_tool
from concerted.elections import evcrypto as ev
from concerted.elections.models import Election, Trustee


@dataclass
class Ceremony:
    election: Election
    states: dict[int, dict[str, Any]]
    tokens: dict[int, str]
    codes: list[str] = field(default_factory=list)


def run_ceremony(election: Election, voters: int = 10) -> Ceremony:
    """The trustees' steps as their CLI runs them (without HTTP), then credentials."""
    made = [Trustee.create(election, i, f"Trustee {i}") for i in range(1, election.trustee_count + 1)]
    states, tokens = {}, {}
    for t, token in made:
        states[t.index] = trustee_tool.new_state(str(election.pk), t.index)
        tokens[t.index] = token
        ballotbox.set_box_key(t, states[t.index]["box_public"])
    for t, _token in made:
        public, sealed = trustee_tool.deal(states[t.index], ballotbox.roster(election))
        ballotbox.post_deal(Trustee.objects.get(pk=t.pk), public, sealed)
    for t, _token in made:
        t = Trustee.objects.get(pk=t.pk)
        proof = trustee_tool.receive(states[t.index], ballotbox.roster(election), ballotbox.messages_for(t))
        ballotbox.post_share_proof(t, proof)
    codes = [ev.new_credential_code() for _ in range(voters)]
    ballotbox.add_credentials(election, [ev.credential_public(str(election.pk), c) for c in codes])
    return Ceremony(election, states, tokens, codes)


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

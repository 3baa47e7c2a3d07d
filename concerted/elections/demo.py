"""Demo election for `make run`: the trustees' ceremony run in one process (in real use
each trustee runs it on their own machine), ten credentials, a few ballots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from concerted.core.demo import DemoContext

from . import ballotbox, trustee_tool
from . import evcrypto as ev
from .models import Election, Trustee


@dataclass
class Ceremony:
    election: Election
    states: dict[int, dict[str, Any]]
    tokens: dict[int, str]
    codes: list[str] = field(default_factory=list)


def run_ceremony(election: Election, voters: int = 10) -> Ceremony:
    """Every trustee's steps, as `concerted election trustee` runs them, then credentials."""
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
        fresh = Trustee.objects.get(pk=t.pk)
        proof = trustee_tool.receive(states[t.index], ballotbox.roster(election), ballotbox.messages_for(fresh))
        ballotbox.post_share_proof(fresh, proof)
    codes = [ev.new_credential_code() for _ in range(voters)]
    ballotbox.add_credentials(election, [ev.credential_public(str(election.pk), c) for c in codes])
    return Ceremony(election, states, tokens, codes)


def load(ctx: DemoContext) -> list[str]:
    election = Election.objects.create(
        campaign=ctx.campaign,
        title="Strike authorization vote",
        question="Do you authorize the bargaining committee to call a strike if Acme keeps the tracking?",
        kind=Election.Kind.YES_NO,
        pass_rule=Election.PassRule.MORE_THAN,
        pass_percent=66,
        trustee_count=3,
        threshold=2,
    )
    c = run_ceremony(election, voters=12)
    ballotbox.open_voting(election)
    election.refresh_from_db()
    for code in c.codes[:6]:
        yes = ctx.rng.random() < 0.75
        ballotbox.cast(election, ev.encrypt_ballot(election.manifest, code, [[1, 0] if yes else [0, 1]])[0])
    ballotbox.release_batch(election)
    folder = settings.DATA_DIR / "demo-election"
    folder.mkdir(parents=True, exist_ok=True)
    for i, state in c.states.items():
        trustee_tool.save_state(folder / f"trustee-{i}.json", state)
    (folder / "unused-voting-codes.txt").write_text("\n".join(c.codes[6:]) + "\n")
    (folder / "tokens.json").write_text(json.dumps(c.tokens))
    return [
        f"secret ballot '{election.title}' with 6 encrypted ballots (unused codes in {folder}): "
        f"{ctx.base_url}{reverse('elections:vote', args=[election.slug])}"
    ]

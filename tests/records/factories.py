"""One way to make a real record of every registered participant kind, through the
app's own service function (what a participant's POST runs). Keyed by model label;
tests/records/test_records.py fails while a registered kind has no factory here."""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Made:
    record: Any
    parent: Any
    receipt: str | None = None
    secrets: list[str] = field(default_factory=list)  # plaintext that must never be at rest


def _petition(campaign: Any) -> Any:
    from concerted.petitions.models import Petition

    return Petition.objects.create(
        campaign=campaign, title="T", body="B", addressee="A", goal_count=10, status=Petition.Status.OPEN
    )


def signature(campaign: Any, canary: str) -> Made:
    from concerted.petitions import signing

    petition = _petition(campaign)
    contact = f"{canary.lower()}@example.net"
    done = signing.sign(petition, {"name": canary, "contact": contact, "comment": canary + " comment"})
    return Made(done.signature, petition, done.receipt_code, [canary, contact])


def commitment(campaign: Any, canary: str) -> Made:
    from concerted.pledges import pledging
    from concerted.pledges.models import Pledge

    pledge = Pledge.objects.create(
        campaign=campaign,
        title="T",
        promise="P",
        threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=5),
    )
    pledge.open()
    contact = f"{canary.lower()}@example.net"
    done = pledging.pledge(pledge, {"name": canary, "contact": contact})
    return Made(done.commitment, pledge, done.receipt_code, [canary, contact])


def card(campaign: Any, canary: str) -> Made:
    from concerted.cards import signing
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit

    unit = BargainingUnit.objects.create(
        campaign=campaign,
        name="U",
        employer="E",
        union="Un",
        size=10,
        card_text=DEFAULT_CARD_TEXT,
        status=BargainingUnit.Status.OPEN,
    )
    phone = "+49 151 " + "".join(str(ord(c) % 10) for c in canary[:8])
    done = signing.sign_card(
        unit,
        {
            "full_name": canary,
            "employer": "E",
            "job_classification": "Agent",
            "phone": phone,
            "email": f"{canary.lower()}@example.net",
            "signature": canary,
            "consent": True,
        },
    )
    return Made(done.card, unit, done.receipt_code, [canary, f"{canary.lower()}@example.net"])


def roster_person(campaign: Any, canary: str) -> Made:
    """A coworker the committee added to the roster (sealed), as the roster page adds them."""
    from concerted.cards import signing
    from concerted.cards.models import BargainingUnit

    unit = BargainingUnit.objects.create(campaign=campaign, name="U", employer="E", union="Un", size=10)
    contact = f"{canary.lower()}@example.net"
    person = signing.add_person(unit, {"name": canary, "contact": contact, "department": "Night " + canary})
    return Made(person, unit, None, [canary, contact])


def _survey(campaign: Any) -> Any:
    from concerted.surveys.models import Question, Survey

    survey = Survey.objects.create(campaign=campaign, title="S", status=Survey.Status.PUBLISHED, one_per_invite=False)
    for i in range(4):
        Question.objects.create(survey=survey, position=i, kind="number", text=f"n{i}")
    Question.objects.create(survey=survey, position=9, kind="text", text="Anything else?")
    return survey


def response(campaign: Any, canary: str) -> Made:
    from concerted.surveys import answering

    survey = _survey(campaign)
    questions = survey.ordered_questions()
    # Four distinctive numbers: the packed answers are the bytes to look for. Distinct
    # for every canary (a sum of its letters was not: two records of one test could pack
    # the same bytes, and the survivor's copy then looked like an erased record's).
    nonce = int.from_bytes(hashlib.blake2b(canary.encode(), digest_size=3).digest(), "big")
    numbers = {q.pk: 0x5A17C0DE + 7919 * i + nonce for i, q in enumerate(questions[:4])}
    done = answering.submit(survey, numbers, {})
    return Made(done, survey, None, [])


def free_text(campaign: Any, canary: str) -> Made:
    from concerted.surveys import answering
    from concerted.surveys.models import FreeText

    survey = _survey(campaign)
    text_question = survey.ordered_questions()[-1]
    answering.submit(survey, {}, {text_question.pk: canary + " wrote this"})
    return Made(FreeText.objects.get(survey=survey), survey, None, [canary])


def respondent_contact(campaign: Any, canary: str) -> Made:
    from concerted.surveys import answering
    from concerted.surveys.models import RespondentContact

    survey = _survey(campaign)
    survey.asks_for_contact = True
    survey.save(update_fields=["asks_for_contact"])
    contact = f"{canary.lower()}@example.net"
    answering.submit(survey, {}, {}, contact=contact)
    return Made(RespondentContact.objects.get(survey=survey), survey, None, [contact])


def _kit(campaign: Any) -> Any:
    from concerted.bargaining.models import Kit

    # One kit per campaign: a second record of the same kind goes into the same kit.
    kit, _created = Kit.objects.get_or_create(
        campaign=campaign, defaults={"reports_open": True, "proposals_open": True}
    )
    return kit


def surveillance(campaign: Any, canary: str) -> Made:
    from concerted.bargaining import filing

    kit = _kit(campaign)
    done = filing.file_surveillance(kit, {"tool": 6, "cap_keystrokes": True}, {"tool_other": canary, "details": canary})
    return Made(done, kit, None, [canary])


def pressure(campaign: Any, canary: str) -> Made:
    from concerted.bargaining import filing

    kit = _kit(campaign)
    done = filing.file_pressure(kit, {"cnt_tokens": True, "pressure": 3}, {"details": canary})
    return Made(done, kit, None, [canary])


def proposal(campaign: Any, canary: str) -> Made:
    from concerted.bargaining import filing

    kit = _kit(campaign)
    done = filing.propose(kit, canary + " should be a demand")
    return Made(done, kit, None, [canary])


def ballot(campaign: Any, canary: str) -> Made:
    """A ranking cast with an invite code, as the ballot page casts it. Each ballot ranks
    a demand of its own, so two ballots' stored bytes differ (the erase tests need that)."""
    from concerted.bargaining import filing
    from concerted.bargaining.models import Demand
    from concerted.invites import codes

    kit = _kit(campaign)
    kit.voting_open = True
    kit.save(update_fields=["voting_open"])
    demand = Demand.objects.create(kit=kit, title=canary[:20], text="D", status=Demand.Status.BALLOT)
    _batch, made = codes.create_batch(campaign, filing.BALLOT_TARGET, kit.pk, 1, "Night shift")
    done = filing.cast_ballot(kit, made[0], {demand: 1})
    # Nothing the voter typed: a demand's title is the committee's text, not theirs.
    return Made(done, kit, None, [])


FACTORIES: dict[str, Callable[[Any, str], Made]] = {
    "petitions.Signature": signature,
    "pledges.Commitment": commitment,
    "cards.Card": card,
    "cards.RosterPerson": roster_person,
    "surveys.Response": response,
    "surveys.FreeText": free_text,
    "surveys.RespondentContact": respondent_contact,
    "bargaining.SurveillanceReport": surveillance,
    "bargaining.PressureReport": pressure,
    "bargaining.Proposal": proposal,
    "bargaining.Ballot": ballot,
}


# --- the bytes that identify a stored row, for kinds without a sealed blob -------------------


# --- tables kept out of arrival order that are not record kinds ---------------------------
# Every model with STORAGE_UNORDERED = True (core/records.py) needs an entry here: a maker
# of new unsaved rows, each with random bytes that sit in the row itself (what
# position_marker() finds). test_records.py fails while a flagged model has none, and runs
# the storage-order tests on every entry, flagged or not: unflagging one fails them.


def _election(campaign: Any) -> Any:
    from concerted.elections.models import Election

    return Election.objects.create(campaign=campaign, title="T", question="Q?")


def _hex() -> str:
    return os.urandom(32).hex()


def election_ballots(campaign: Any) -> Callable[[], Any]:
    from concerted.elections.models import Ballot

    election = _election(campaign)
    # As long as a real yes/no ballot (about 1.4 KB): on SQLite its end spills from the
    # row's cell into overflow pages (overflow_marker).
    return lambda: Ballot(
        election=election,
        tracker=_hex(),
        credential=_hex(),
        revision=1,
        body={"proofs": os.urandom(600).hex(), "end": _hex()},
    )


def seen_ciphertexts(campaign: Any) -> Callable[[], Any]:
    from concerted.elections.models import SeenCiphertext

    election = _election(campaign)
    return lambda: SeenCiphertext(election=election, alpha=_hex())


def election_credentials(campaign: Any) -> Callable[[], Any]:
    from concerted.elections.models import Credential

    election = _election(campaign)
    return lambda: Credential(election=election, public=_hex())


def sent_forms(campaign: Any) -> Callable[[], Any]:
    from concerted.core.models import SentForm

    # As a form's answer is stored (core/sentonce.py): a hash as key, a padded box.
    return lambda: SentForm(id=_hex(), answer=os.urandom(256 + 40))


UNORDERED_ROWS: dict[str, Callable[[Any], Callable[[], Any]]] = {
    "core.SentForm": sent_forms,
    "elections.Ballot": election_ballots,
    "elections.SeenCiphertext": seen_ciphertexts,
    "elections.Credential": election_credentials,
}
# Which column holds each row's random bytes (indexes hold them too: the test looks for
# them only in the table's own pages).
_MARKER_FIELDS = {
    "core.SentForm": "id",
    "elections.Ballot": "tracker",
    "elections.SeenCiphertext": "alpha",
    "elections.Credential": "public",
}


def overflow_marker(record: Any) -> bytes | None:
    """Bytes at the end of a row too long for its B-tree cell (in SQLite's overflow
    pages), for a kind whose rows are that long; else None."""
    if type(record)._meta.label == "elections.Ballot":
        return str(record.body["end"]).encode()
    return None


def stored_bytes(record: Any) -> bytes:
    """The bytes of a record that must not outlive it: its sealed blob, or for a kind
    without one what is unique to the row (a survey response's packed answers; a
    ballot's id as the database stores it: its ranking is shared with other ballots and
    printed in releases)."""
    from django.db import connection

    record.refresh_from_db()
    if type(record).is_sealed():
        return bytes(record.sealed)
    if type(record)._meta.label == "bargaining.Ballot":
        return record.pk.bytes if connection.vendor == "postgresql" else record.pk.hex.encode()
    return bytes(record.values)


def position_marker(record: Any) -> bytes:
    """Bytes found once in the database file, in the row itself (not in an index): where
    they sit is where the row sits."""
    if type(record)._meta.label == "bargaining.Ballot":
        return next(iter(record.ranks)).encode()  # the random key randomize() gave it
    if type(record)._meta.label in _MARKER_FIELDS:
        return getattr(record, _MARKER_FIELDS[type(record)._meta.label]).encode()
    return stored_bytes(record)[:16]


def randomize(record: Any) -> None:
    """Give an unsaved copy of a record new random stored bytes to find it by."""
    if getattr(record, "stop_hash", None):  # unique: a kind whose records all agreed to messages
        record.stop_hash = os.urandom(32).hex()
    if type(record).is_sealed():
        record.sealed = os.urandom(len(bytes(record.sealed)))
    elif type(record)._meta.label == "bargaining.Ballot":
        record.ranks = {str(uuid.uuid4()): 1}
    else:
        record.values = os.urandom(16)


def _withdraw_signature(record: Any) -> None:
    from concerted.petitions import signing

    signing.withdraw(record)


def _withdraw_pledge(record: Any) -> None:
    from concerted.pledges import pledging

    pledging.withdraw(record)


def _revoke_card(record: Any) -> None:
    from concerted.cards import signing

    signing.revoke(record)


# What a participant's receipt page runs to take the record back: every kind with
# receipts needs one, and it must go through the core's erase path.
WITHDRAW: dict[str, Callable[[Any], None]] = {
    "petitions.Signature": _withdraw_signature,
    "pledges.Commitment": _withdraw_pledge,
    "cards.Card": _revoke_card,
}

"""The only code that writes cards, roster people and one-on-one notes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from concerted.core import receipts, records
from concerted.core.days import today

from .models import FIELD_FOR_KIND, BargainingUnit, Card, OneOnOne, RosterPerson


@dataclass
class Signed:
    card: Card
    receipt_code: str


def sign_card(unit: BargainingUnit, cleaned: dict[str, Any]) -> Signed:
    """Seal the card with the exact text shown and store one row. A repeat phone is stored
    like any other card: the committee finds repeats when it opens the cards."""
    code, code_hash = receipts.new_receipt()
    text = unit.rendered_card_text()
    card = Card(
        unit=unit,
        receipt_hash=code_hash,
        text_hash=unit.card_text_hash(),
        segment_id=cleaned.get("segment"),
        may_message=bool(cleaned.get("may_message")),  # the phone is required
    )
    card.seal_data(
        {
            "full_name": cleaned["full_name"],
            "signed_on": card.day.isoformat(),
            "employer": cleaned["employer"],
            "job_classification": cleaned["job_classification"],
            "phone": cleaned["phone"],
            "email": cleaned.get("email") or "",
            "typed_signature": cleaned["signature"],
            "consent": bool(cleaned["consent"]),
            "union": unit.union,
            "unit_name": unit.name,
            # The exact text shown, in the signer's language, and its hash; and the
            # version it translates (the row's clear text_hash).
            "card_text": text,
            "card_text_sha256": unit.shown_text_hash(),
            "card_version_sha256": card.text_hash,
        }
    )
    with transaction.atomic():
        card.save(force_insert=True)
    return Signed(card, code)


def find_by_receipt(unit: BargainingUnit, code: str) -> Card | None:
    return records.find_by_receipt(Card, unit, code)


def revoke(card: Card) -> None:
    records.erase(card)


def _group_labels(unit: BargainingUnit, cleaned: dict[str, Any]) -> dict[str, str]:
    """Group names as typed, spelled like the campaign's segment of that kind if one
    matches (so "support" and "Support" are one department on the wall chart). Nothing
    is created: a roster's groups stay inside its sealed records."""
    known = {(s.kind, s.label.casefold()): s.label for s in unit.campaign.segments.all()}
    labels = {}
    for kind, field in FIELD_FOR_KIND.items():
        value = " ".join(str(cleaned.get(field) or "").split())[:100]
        labels[field] = known.get((kind, value.casefold()), value)
    return labels


def add_person(unit: BargainingUnit, cleaned: dict[str, Any]) -> RosterPerson:
    """Seal everything about the person: name, contact, groups, assessment and its day."""
    person = _sealed_person(unit, cleaned)
    person.save(force_insert=True)
    return person


def _sealed_person(unit: BargainingUnit, cleaned: dict[str, Any]) -> RosterPerson:
    day = today().isoformat()
    assessment = cleaned.get("assessment")
    # Ticked by the organizer when the person agreed in person; nowhere to write without a contact.
    person = RosterPerson(unit=unit, may_message=bool(cleaned.get("may_message") and cleaned.get("contact")))
    person.seal_data(
        {
            "name": cleaned["name"],
            "contact": cleaned.get("contact") or "",
            **_group_labels(unit, cleaned),
            "assessment": assessment or None,
            "assessed_on": day if assessment else "",
            "added": day,
        }
    )
    return person


def import_people(unit: BargainingUnit, rows: list[dict[str, str]]) -> int:
    """Add pasted roster lines in an order unrelated to the paste: the rows' storage
    order must not map back to the employer's list the lines were copied from."""
    rows = list(rows)
    secrets.SystemRandom().shuffle(rows)
    # Sealed before the transaction: hundreds of lines take most of a second, and on
    # SQLite the transaction holds the whole server's write lock (every signature waits).
    people = [_sealed_person(unit, {**row, "assessment": None}) for row in rows]
    with transaction.atomic():
        for person in people:
            person.save(force_insert=True)
    return len(people)


def _log(person: RosterPerson, data: dict[str, Any]) -> OneOnOne:
    # "saved" orders entries of the same day; it is sealed like everything else.
    entry = OneOnOne(person=person)
    entry.seal_data({**data, "saved": timezone.now().isoformat(timespec="microseconds")})
    entry.save(force_insert=True)
    return entry


def update_person(person: RosterPerson, cleaned: dict[str, Any]) -> OneOnOne:
    """A correction of groups or assessment, sealed as a log entry (the server can't
    re-seal the person's record: it can't read it). Blank fields leave things as they are."""
    groups = {k: v for k, v in _group_labels(person.unit, cleaned).items() if v}
    return _log(
        person,
        {"event": "update", "date": today().isoformat(), "groups": groups, "assessment": cleaned.get("assessment")},
    )


def record_consent(person: RosterPerson, contact: str) -> bool:
    """The person told an organizer they agree to messages at `contact`: the contact and
    a stop token sealed in their log (the record itself can't be sealed again here: the
    server can't read it), the token's hash on the row, as the forms do. The contact is
    asked for again because the server can't see whether their record has one, and a
    person with nowhere to write must not count as someone who can be written to. Once
    a person has agreed, a second consent is refused: it could undo a stop they made
    with their link, which only they can."""
    if not contact.strip():
        raise ValueError("consent needs the contact they agreed to be written at")
    with transaction.atomic():
        locked = RosterPerson.objects.select_for_update().get(pk=person.pk)
        if locked.stop_hash:
            return False
        token = records.new_stop_token()
        _log(
            person,
            {"event": "consent", "date": today().isoformat(), "may_message": True, "stop": token, "contact": contact},
        )
        RosterPerson.objects.filter(pk=person.pk).update(may_message=True, stop_hash=records.stop_token_hash(token))
    person.refresh_from_db()
    return True


def add_note(person: RosterPerson, cleaned: dict[str, Any]) -> OneOnOne:
    return _log(
        person,
        {
            "event": "one-on-one",
            "date": cleaned["day"].isoformat(),
            "who": cleaned["who"],
            "note": cleaned["note"],
            "next_step": cleaned.get("next_step") or "",
            "assessment": cleaned.get("assessment"),
        },
    )

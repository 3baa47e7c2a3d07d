"""The only code that writes cards, roster people and one-on-one notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from concerted.campaigns.models import Segment
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
            "card_text": text,
            "card_text_sha256": card.text_hash,
        }
    )
    with transaction.atomic():
        card.save(force_insert=True)
    return Signed(card, code)


def find_by_receipt(unit: BargainingUnit, code: str) -> Card | None:
    return records.find_by_receipt(Card, unit, code)


def revoke(card: Card) -> None:
    records.erase(card)


def _segments(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {name: cleaned.get(name) for name in FIELD_FOR_KIND.values()}


def add_person(unit: BargainingUnit, cleaned: dict[str, Any]) -> RosterPerson:
    person = RosterPerson(unit=unit, **_segments(cleaned))
    set_assessment(person, cleaned.get("assessment"), save=False)
    person.seal_data({"name": cleaned["name"], "contact": cleaned.get("contact") or ""})
    person.save(force_insert=True)
    return person


def import_people(unit: BargainingUnit, rows: list[dict[str, str]]) -> int:
    """Add pasted roster lines; groups are matched by name (case-insensitive) or created."""
    segments = {(s.kind, s.label.casefold()): s for s in unit.campaign.segments.all()}
    with transaction.atomic():
        for row in rows:
            cleaned: dict[str, Any] = {"name": row["name"], "contact": row["contact"], "assessment": None}
            for kind, field in FIELD_FOR_KIND.items():
                label = row.get(field, "")
                if label:
                    key = (kind, label.casefold())
                    if key not in segments:
                        segments[key] = Segment.objects.create(campaign=unit.campaign, kind=kind, label=label[:100])
                    cleaned[field] = segments[key]
            add_person(unit, cleaned)
    return len(rows)


def set_assessment(person: RosterPerson, value: int | None, *, save: bool = True) -> None:
    if value != person.assessment:
        person.assessment = value
        person.assessed_on = today() if value else None
    if save:
        person.save(update_fields=["assessment", "assessed_on"])


def update_person(person: RosterPerson, cleaned: dict[str, Any]) -> None:
    for name, value in _segments(cleaned).items():
        setattr(person, name, value)
    set_assessment(person, cleaned.get("assessment"), save=False)
    person.save()


def add_note(person: RosterPerson, cleaned: dict[str, Any]) -> OneOnOne:
    note = OneOnOne(person=person, day=cleaned["day"])
    note.seal_data(
        {
            "date": cleaned["day"].isoformat(),
            "who": cleaned["who"],
            "note": cleaned["note"],
            "next_step": cleaned.get("next_step") or "",
        }
    )
    with transaction.atomic():
        note.save(force_insert=True)
        if cleaned.get("assessment"):
            set_assessment(person, cleaned["assessment"])
    return note

"""Who a committee message can go to (concerted.core.audiences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from concerted.core import export
from concerted.core.audiences import Audience

from . import roster
from .models import NOTE_KIND, BargainingUnit, Card, OneOnOne, RosterPerson


def _describe(unit: BargainingUnit) -> dict[str, Any]:
    return {"id": str(unit.pk), "slug": unit.slug, "title": unit.name}


SIGNERS = Audience(
    name="cards.signers",
    label=_("Card signers"),
    model=Card,
    parents=lambda campaign: BargainingUnit.objects.filter(campaign=campaign),
    describe=_describe,
    title=lambda unit: unit.name,
)


def _log_of(unit: BargainingUnit, people: Any) -> list[dict[str, Any]]:
    """The sealed log (one-on-ones, corrections, consent recorded later) of the people
    in the audience: their current assessment and groups are worked out on the sending
    machine, where a --where selection on them is made."""
    notes = OneOnOne.objects.filter(person__unit=unit, person__in=people.values("pk")).order_by("id")
    return [
        export.build(
            kind=NOTE_KIND,
            campaign=unit.campaign,
            parent_field="unit",
            parent=_describe(unit),
            records=({"id": str(n.pk), "person": str(n.person_id), "sealed": n.sealed} for n in notes),
        )
    ]


def _current(people: list[dict[str, Any]], logs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    by_person: dict[str, list[dict[str, Any]]] = {}
    for entry in (e for log in logs for e in log):
        by_person.setdefault(str(entry.get("person")), []).append(entry)
    return [roster.current(p, by_person.get(str(p.get("id")), [])) for p in people]


ROSTER = Audience(
    name="cards.roster",
    label=_("The roster: people who agreed in person"),
    model=RosterPerson,
    parents=lambda campaign: BargainingUnit.objects.filter(campaign=campaign),
    describe=_describe,
    title=lambda unit: unit.name,
    companions=_log_of,
    prepare=_current,
)

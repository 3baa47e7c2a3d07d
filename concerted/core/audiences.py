"""Who a committee message can go to: a registry every domain app fills in ready().

An audience is the participant records of one parent (a petition's signers, a pledge's
pledgers, a card drive's signers) whose participants agreed to messages
(`records.audience()`). The messaging app lists audiences and builds their sealed
export through this registry, so it never imports a domain app.

Counting an audience follows the rule of 5 and moves at most once a day: only records
from before today are counted, so watching the count can't time one arrival."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from . import records
from .days import today
from .kanon import show_count


def _no_reason(_parent: Any) -> str:
    return ""


def _no_draft(_parent: Any) -> tuple[str, str]:
    return "", ""


def _no_companions(_parent: Any, _records: Any) -> list[dict[str, Any]]:
    return []


def _as_opened(rows: list[dict[str, Any]], _companions: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return rows


@dataclass(frozen=True)
class Audience:
    name: str  # stable key stored on a message, e.g. "petitions.signers"
    label: Any  # lazily translated: "Signers of a petition"
    model: type[records.ParticipantRecord]
    parents: Callable[[Any], Iterable[Any]]  # campaign -> its parents (petitions, ...)
    describe: Callable[[Any], dict[str, Any]]  # parent -> the export's "parent" part
    # parent -> why this audience can't be written to now ("" when it can)
    refuse: Callable[[Any], str] = _no_reason
    title: Callable[[Any], str] = str
    # parent -> (subject, body) the compose form starts with when opened for this parent
    draft: Callable[[Any], tuple[str, str]] = _no_draft
    # (parent, the audience's records) -> more sealed exports the sending machine needs
    # (the roster's log: later assessments, consent recorded after the person was added)
    companions: Callable[[Any, Any], list[dict[str, Any]]] = _no_companions
    # On the sending machine: (opened records, opened companions) -> each person's
    # current record, on which consent is checked and --where selections are made.
    prepare: Callable[[list[dict[str, Any]], list[list[dict[str, Any]]]], list[dict[str, Any]]] = _as_opened

    def parent(self, campaign: Any, parent_id: str) -> Any | None:
        for parent in self.parents(campaign):
            if str(parent.pk) == str(parent_id):
                return parent
        return None

    @property
    def dated(self) -> bool:
        return any(f.name == "day" for f in self.model._meta.get_fields())

    def records(self, parent: Any) -> models.QuerySet[Any]:
        """Every record whose participant agreed to messages, stopped ones included
        (marked by their clear flag): the sending machine drops every contact that
        stopped on any of its records."""
        return self.model.objects.filter(**{self.model.PARENT: parent, "stop_hash__isnull": False})

    def stopped(self, parent: Any) -> models.QuerySet[Any]:
        """The records of this parent whose participant agreed and then stopped messages."""
        return self.records(parent).filter(may_message=False)

    def count(self, parent: Any) -> int | None:
        """People who agreed and didn't stop, as of yesterday; None when fewer than 5.
        A kind without a day (a survey's contacts) is counted only once the audience
        can be written to, when nothing new arrives that the count could time."""
        found = records.audience(self.model, parent)
        if self.dated:
            found = found.filter(day__lt=today())
        elif self.refuse(parent):
            return None
        return show_count(found.count())


_audiences: dict[str, Audience] = {}


def register(audience: Audience) -> None:
    _audiences.setdefault(audience.name, audience)


def get(name: str) -> Audience | None:
    return _audiences.get(name)


def all_audiences() -> list[Audience]:
    return list(_audiences.values())


def choices(campaign: Any) -> list[tuple[Audience, Any]]:
    """(audience, parent) for every audience this campaign can write to."""
    return [(a, p) for a in _audiences.values() for p in a.parents(campaign)]


def others(campaign: Any, audience: Audience, parent: Any) -> list[tuple[Audience, Any]]:
    """Every other audience of the campaign, once per set of records (two audiences
    over the same pledge's commitments are one): where a stop made elsewhere in the
    campaign is looked for. A stop covers the whole campaign, as the stop page says;
    the sending machine, which can read contacts, matches them (the server can't)."""
    seen = {(audience.model, str(parent.pk))}
    found = []
    for other, other_parent in choices(campaign):
        key = (other.model, str(other_parent.pk))
        if key not in seen:
            seen.add(key)
            found.append((other, other_parent))
    return found

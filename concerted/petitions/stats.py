"""Counts computed from rows without opening any sealed record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count

from concerted.core import releases
from concerted.core.kanon import Cell, suppress

from .models import Petition, Signature


@dataclass
class Progress:
    total: int
    goal: int | None

    @property
    def percent(self) -> int | None:
        if not self.goal:
            return None
        return min(100, int(self.total * 100 / self.goal))

    @property
    def still_needed(self) -> int | None:
        return None if self.goal is None else max(0, self.goal - self.total)


def progress(petition: Petition) -> Progress:
    """Exact progress: for signed-in organizers only (see public_progress)."""
    return Progress(total=Signature.objects.filter(petition=petition).count(), goal=petition.goal())


RELEASE = releases.Kind(
    name="petitions.petition",
    subject=Petition,
    rows=Signature,
    parent="petition",
)


def public_progress(petition: Petition) -> tuple[Progress, releases.Figures]:
    """Progress as last released: what every public, shared or exported page shows."""
    released = releases.figures(petition)
    return Progress(total=int(released.get("total", 0)), goal=petition.goal()), released


def by_day(petition: Petition) -> list[tuple[datetime.date, int]]:
    rows = Signature.objects.filter(petition=petition).values("day").annotate(n=Count("id")).order_by("day")
    return [(row["day"], row["n"]) for row in rows]


def by_segment(petition: Petition) -> list[Cell]:
    counts = {segment.label: 0 for segment in petition.segments()}
    rows = Signature.objects.filter(petition=petition).values("segment__label").annotate(n=Count("id"))
    unspecified = 0
    for row in rows:
        label = row["segment__label"]
        if label is None or label not in counts:
            unspecified += row["n"]
        else:
            counts[label] = row["n"]
    if not counts:
        return []
    from django.utils.translation import gettext as _

    counts[_("Not given")] = unspecified
    return suppress(counts)

"""Counts computed from rows without opening any sealed record."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from concerted.core import kanon, releases

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
    groups=lambda petition: segment_counts(petition),
)


def public_progress(petition: Petition) -> tuple[Progress, releases.Figures]:
    """Progress as last released: what every public, shared or exported page shows."""
    released = releases.figures(petition)
    return Progress(total=int(released.get("total", 0)), goal=petition.goal()), released


def segment_counts(petition: Petition) -> dict[str, int]:
    """Exact signatures per group, "Not given" last; {} when the petition asks no group.
    Read only by releases (the organizer's table is audited there: core/breakdowns.py)."""

    counts = {segment.label: 0 for segment in petition.segments()}
    if not counts:
        return {}
    unspecified = 0
    for row in Signature.objects.filter(petition=petition).values("segment__label").annotate(n=Count("id")):
        label = row["segment__label"]
        if label is None or label not in counts:
            unspecified += row["n"]
        else:
            counts[label] = row["n"]
    counts[kanon.NOT_GIVEN] = unspecified  # translated where shown
    return counts

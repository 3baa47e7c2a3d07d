"""Card counts computed from rows without opening any sealed record. There are no
roster counts here: the roster's groups and assessments are sealed (cards.roster)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from concerted.core import kanon, releases

from .models import BargainingUnit, Card


@dataclass
class Threshold:
    label: str
    explanation: str
    needed: int
    total: int

    @property
    def still_needed(self) -> int:
        return max(0, self.needed - self.total)

    @property
    def reached(self) -> bool:
        return self.total >= self.needed

    @property
    def percent(self) -> int:
        """Progress towards this threshold, 0-100, rounded down (never shows 100 before it's reached)."""
        if not self.needed:
            return 100
        return min(100, self.total * 100 // self.needed)


@dataclass
class Progress:
    total: int
    size: int
    thresholds: list[Threshold]

    @property
    def percent_of_unit(self) -> int:
        return self.total * 100 // self.size if self.size else 0


def progress(unit: BargainingUnit, total: int | None = None) -> Progress:
    if total is None:
        total = Card.objects.filter(unit=unit).count()
    us = unit.campaign.is_us
    return Progress(
        total=total,
        size=unit.size,
        thresholds=[
            # Legal meaning only where it is sourced (docs/CARDS.md): the US NLRA.
            Threshold(
                _("30% showing of interest") if us else _("30% of the unit"),
                _("Enough to petition the NLRB for an election (29 CFR 101.18(a)).")
                if us
                else _("A common organizing milestone; what it allows depends on your country's law."),
                unit.showing_needed(),
                total,
            ),
            Threshold(
                _("Majority (50% + 1)"),
                _("Majority support backs a demand for voluntary recognition (Cemex, 372 NLRB No. 130, 2023).")
                if us
                else _("More than half of the unit: a strong position to ask the employer to recognize the union."),
                unit.majority_needed(),
                total,
            ),
            Threshold(
                _("Committee goal (%(pct)d%%)") % {"pct": unit.supermajority_percent},
                _("The cushion the committee wants before filing: some signers may be challenged or pressured."),
                unit.goal_needed(),
                total,
            ),
        ],
    )


RELEASE = releases.Kind(
    name="cards.unit",
    subject=BargainingUnit,
    rows=Card,
    parent="unit",
    groups=lambda unit: segment_counts(unit),
)


def public_total(unit: BargainingUnit) -> tuple[int, releases.Figures]:
    """The card count as last released: what every public, shared or printed page shows."""
    released = releases.figures(unit)
    return int(released.get("total", 0)), released


def segment_counts(unit: BargainingUnit) -> dict[str, int]:
    """Exact cards per group, "Not given" last; {} when the drive asks no group. Read
    only by releases (the organizer's table is audited there: core/breakdowns.py)."""
    counts = {segment.label: 0 for segment in unit.segments()}
    if not counts:
        return {}
    unspecified = 0
    for row in Card.objects.filter(unit=unit).values("segment__label", "segment__kind").annotate(n=Count("id")):
        label = row["segment__label"]
        if label is None or row["segment__kind"] != unit.card_segment_kind or label not in counts:
            unspecified += row["n"]
        else:
            counts[label] = row["n"]
    counts[kanon.NOT_GIVEN] = unspecified  # translated where shown
    return counts


def text_versions(unit: BargainingUnit) -> list[tuple[str, int, bool]]:
    """(text hash, cards, is the current text) for each card text that has been signed."""
    current = unit.card_text_hash()
    rows = Card.objects.filter(unit=unit).values("text_hash").annotate(n=Count("id")).order_by("-n")
    return [(row["text_hash"], row["n"], row["text_hash"] == current) for row in rows]

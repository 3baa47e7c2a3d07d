"""Counts computed from rows without opening any sealed record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from concerted.core.kanon import Cell, suppress

from .models import ASSESSMENTS, FIELD_FOR_KIND, BargainingUnit, Card, RosterPerson


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


def by_day(unit: BargainingUnit) -> list[tuple[datetime.date, int]]:
    rows = Card.objects.filter(unit=unit).values("day").annotate(n=Count("id")).order_by("day")
    return [(row["day"], row["n"]) for row in rows]


def by_segment(unit: BargainingUnit) -> list[Cell]:
    counts = {segment.label: 0 for segment in unit.segments()}
    if not counts:
        return []
    unspecified = 0
    for row in Card.objects.filter(unit=unit).values("segment__label", "segment__kind").annotate(n=Count("id")):
        label = row["segment__label"]
        if label is None or row["segment__kind"] != unit.card_segment_kind or label not in counts:
            unspecified += row["n"]
        else:
            counts[label] = row["n"]
    counts[_("Not given")] = unspecified
    return suppress(counts)


def text_versions(unit: BargainingUnit) -> list[tuple[str, int, bool]]:
    """(text hash, cards, is the current text) for each card text that has been signed."""
    current = unit.card_text_hash()
    rows = Card.objects.filter(unit=unit).values("text_hash").annotate(n=Count("id")).order_by("-n")
    return [(row["text_hash"], row["n"], row["text_hash"] == current) for row in rows]


@dataclass
class WallRow:
    label: str
    people: int
    cells: list[Cell]  # one per assessment 1-5, then "not assessed"


def wall_chart(unit: BargainingUnit, kind: str) -> tuple[list[str], list[WallRow]]:
    """Segments x assessment counts from the clear columns only. Each row applies the
    rule of five: a cell under 5 (and its complement) is hidden; the named chart,
    opened with the key, shows everything."""
    field = FIELD_FOR_KIND[kind]
    columns = [str(label) for _value, label in ASSESSMENTS] + [_("Not assessed")]
    counts: dict[str, dict[str, int]] = {}
    labels = [s.label for s in unit.segments(kind)] + [_("Not recorded")]
    for label in labels:
        counts[label] = dict.fromkeys(columns, 0)
    value_to_column = {value: str(label) for value, label in ASSESSMENTS}
    rows = RosterPerson.objects.filter(unit=unit).values(f"{field}__label", "assessment").annotate(n=Count("id"))
    for row in rows:
        label = row[f"{field}__label"] or labels[-1]
        column = value_to_column.get(row["assessment"], columns[-1])
        counts.setdefault(label, dict.fromkeys(columns, 0))[column] += row["n"]
    result = [
        WallRow(label, sum(cells.values()), suppress(cells)) for label, cells in counts.items() if sum(cells.values())
    ]
    return columns, result


def assessment_totals(unit: BargainingUnit) -> list[Cell]:
    counts = {str(label): 0 for _value, label in ASSESSMENTS}
    counts[_("Not assessed")] = 0
    value_to_column = {value: str(label) for value, label in ASSESSMENTS}
    for row in RosterPerson.objects.filter(unit=unit).values("assessment").annotate(n=Count("id")):
        counts[value_to_column.get(row["assessment"], _("Not assessed"))] += row["n"]
    return suppress(counts)

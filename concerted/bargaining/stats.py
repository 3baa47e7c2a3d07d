"""Aggregated views of the reports, counted from rows without opening any sealed data.

Rule of 5 (core.kanon): nothing is shown until at least 5 reports exist; within a
single-choice question, cells under 5 and their complements are hidden (suppress());
each box of a multi-select question is its own yes/no split, so a box ticked by 1 to
4 people — or left unticked by 1 to 4 — is hidden. Free text stays sealed and is
exported only once there are at least 10 reports (MIN_FREE_TEXT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from concerted.core.kanon import MIN_COUNT, MIN_FREE_TEXT, Cell, show_count, suppress

from .models import CAPTURES, COUNTED, DEVICES, RESPONSES, USES, Kit, PressureReport, SurveillanceReport


@dataclass
class Question:
    title: str
    cells: list[Cell]
    multi: bool  # boxes: cells don't add up to the total


@dataclass
class Summary:
    total: int
    shown_total: int | None
    questions: list[Question]

    @property
    def visible(self) -> bool:
        return self.shown_total is not None


def _single(rows: QuerySet, field: str, choices: list[tuple[int, str]]) -> list[Cell]:
    found = {row[field]: row["n"] for row in rows.values(field).annotate(n=Count("pk")).order_by()}
    return suppress({str(label): found.get(value, 0) for value, label in choices})


def _boxes(rows: QuerySet, boxes: list[tuple[str, object]], total: int) -> list[Cell]:
    if not boxes:
        return []
    counts = rows.aggregate(**{name: Count("pk", filter=Q(**{name: True})) for name, _label in boxes})
    cells = []
    for name, label in boxes:
        n = counts[name]
        # A yes/no split per box: hide it if either side is a small group.
        hidden = 0 < n < MIN_COUNT or 0 < total - n < MIN_COUNT
        cells.append(Cell(str(label), None if hidden else n))
    return cells


def _summary(rows: QuerySet, questions: Callable[[int], list[Question]]) -> Summary:
    total = rows.count()
    shown = show_count(total)
    if shown is None:
        return Summary(total, None, [])
    return Summary(total, shown, questions(total))


def surveillance(kit: Kit) -> Summary:
    from django.utils.translation import gettext as _

    rows = SurveillanceReport.objects.filter(kit=kit)
    return _summary(
        rows,
        lambda total: [
            Question(_("Tool"), _single(rows, "tool", SurveillanceReport.Tool.choices), multi=False),
            Question(_("What it captures"), _boxes(rows, CAPTURES, total), multi=True),
            Question(_("On which devices"), _boxes(rows, DEVICES, total), multi=True),
            Question(
                _("Was it disclosed?"), _single(rows, "disclosed", SurveillanceReport.Disclosed.choices), multi=False
            ),
            Question(
                _("Does it feed evaluations?"),
                _single(rows, "feeds_evaluations", SurveillanceReport._meta.get_field("feeds_evaluations").choices),
                multi=False,
            ),
            Question(
                _("Does its data train AI?"),
                _single(rows, "trains_ai", SurveillanceReport.TrainsAI.choices),
                multi=False,
            ),
        ],
    )


def pressure(kit: Kit) -> Summary:
    from django.utils.translation import gettext as _

    rows = PressureReport.objects.filter(kit=kit)
    return _summary(
        rows,
        lambda total: [
            Question(_("What is counted"), _boxes(rows, COUNTED, total), multi=True),
            Question(_("How managers use it"), _boxes(rows, USES, total), multi=True),
            Question(_("What people do about it"), _boxes(rows, RESPONSES, total), multi=True),
            Question(_("How much pressure"), _single(rows, "pressure", PressureReport.Pressure.choices), multi=False),
        ],
    )


def free_text_ready(kit: Kit) -> bool:
    return kit.report_count() >= MIN_FREE_TEXT

"""Aggregated views of the reports, counted from rows without opening any sealed data.

Rule of 5 (core.kanon): nothing is shown until at least 5 reports exist; within a
single-choice question, cells under 5 and their complements are hidden (suppress());
a box of a multi-select question ticked by 1 to 4 is hidden. Reports carry no group, so
a large count shows even when a few left the box unticked (30 of 32). Free text stays sealed and is
exported only once there are at least 10 reports (MIN_FREE_TEXT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from concerted.core.kanon import MIN_COUNT, MIN_FREE_TEXT, Cell, show_count, suppress

from .models import CAPTURES, COUNTED, DEVICES, RESPONSES, USES, Kit, PressureReport, SurveillanceReport

SMALL, COVER = "small", "cover"  # why a cell is hidden


@dataclass
class Question:
    title: str
    cells: list[Cell]
    multi: bool  # boxes: cells don't add up to the total
    reasons: dict[str, str] = field(default_factory=dict)  # hidden cell label -> SMALL or COVER

    def reason(self, cell: Cell) -> str:
        return self.reasons.get(cell.label, SMALL) if cell.hidden else ""

    def rows(self) -> list[tuple[str, int | None, str]]:
        """(label, count, what stands in for a hidden count): one label per meaning."""
        return [(c.label, c.count, hidden_label(self.reason(c))) for c in self.cells]


def hidden_label(reason: str) -> str:
    from django.utils.translation import gettext as _

    if not reason:
        return ""
    return _("hidden to protect") if reason == COVER else _("fewer than 5")


@dataclass
class Summary:
    total: int
    shown_total: int | None
    questions: list[Question]

    @property
    def visible(self) -> bool:
        return self.shown_total is not None


def _single(title: str, rows: QuerySet, name: str, choices: list[tuple[int, str]]) -> Question:
    found = {row[name]: row["n"] for row in rows.values(name).annotate(n=Count("pk")).order_by()}
    counts = {str(label): found.get(value, 0) for value, label in choices}
    cells = suppress(counts)
    reasons = {c.label: (SMALL if 0 < counts[c.label] < MIN_COUNT else COVER) for c in cells if c.hidden}
    return Question(title, cells, multi=False, reasons=reasons)


def _boxes(title: str, rows: QuerySet, boxes: list[tuple[str, object]], total: int) -> Question:
    """Each box is a count of reports that ticked it. Reports carry no team or other
    group, so a large count shows even when a few left the box unticked ("30 of 32 name
    the work computer"); a box ticked by 1 to 4 stays hidden, for what it is."""
    counts = rows.aggregate(**{name: Count("pk", filter=Q(**{name: True})) for name, _label in boxes}) if boxes else {}
    cells = []
    for name, label in boxes:
        n = counts[name]
        cells.append(Cell(str(label), None if 0 < n < MIN_COUNT else n))
    return Question(title, cells, multi=True, reasons={c.label: SMALL for c in cells if c.hidden})


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
            _single(_("Tool"), rows, "tool", SurveillanceReport.Tool.choices),
            _boxes(_("What it captures"), rows, CAPTURES, total),
            _boxes(_("On which devices"), rows, DEVICES, total),
            _single(_("Was it disclosed?"), rows, "disclosed", SurveillanceReport.Disclosed.choices),
            _single(
                _("Does it feed evaluations?"),
                rows,
                "feeds_evaluations",
                SurveillanceReport._meta.get_field("feeds_evaluations").choices,
            ),
            _single(_("Does its data train AI?"), rows, "trains_ai", SurveillanceReport.TrainsAI.choices),
        ],
    )


def pressure(kit: Kit) -> Summary:
    from django.utils.translation import gettext as _

    rows = PressureReport.objects.filter(kit=kit)
    return _summary(
        rows,
        lambda total: [
            _boxes(_("What is counted"), rows, COUNTED, total),
            _boxes(_("How managers use it"), rows, USES, total),
            _boxes(_("What people do about it"), rows, RESPONSES, total),
            _single(_("How much pressure"), rows, "pressure", PressureReport.Pressure.choices),
        ],
    )


def free_text_ready(kit: Kit) -> bool:
    return kit.report_count() >= MIN_FREE_TEXT

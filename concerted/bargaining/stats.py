"""Aggregated views of the reports, counted from rows without opening any sealed data.

Rule of 5 (core.kanon): nothing is shown until at least 5 reports exist; within a
single-choice question, cells under 5 (0 included) and their complements are hidden
(suppress()); a box of a multi-select question ticked by fewer than 5 (0 included) is
hidden. An empty cell looks like a small one, so the first report to give an answer
doesn't show as a 0 turning into "fewer than 5". Reports carry no group, so
a large count shows even when a few left the box unticked (30 of 32). Free text stays sealed and is
exported only once there are at least 10 reports (MIN_FREE_TEXT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from concerted.core import releases
from concerted.core.kanon import MIN_COUNT, MIN_FREE_TEXT, Cell, show_count, suppress

from .models import CAPTURES, COUNTED, DEVICES, RESPONSES, USES, Ballot, Kit, PressureReport, SurveillanceReport

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


# The inventories as raw counts, JSON-ready: what a release stores (concerted.core.releases),
# so the brief, which may reach management, shows figures that move only in releases.
SURVEILLANCE_SINGLES = ("tool", "disclosed", "feeds_evaluations", "trains_ai")
PRESSURE_SINGLES = ("pressure",)


def _counts(rows: QuerySet, singles: tuple[str, ...], boxes: list[tuple[str, object]]) -> dict[str, Any]:
    counts: dict[str, Any] = {"total": rows.count()}
    for name in singles:
        counts[name] = {str(row[name]): row["n"] for row in rows.values(name).annotate(n=Count("pk")).order_by()}
    if boxes:
        counts.update(rows.aggregate(**{name: Count("pk", filter=Q(**{name: True})) for name, _label in boxes}))
    return counts


def surveillance_counts(kit: Kit) -> dict[str, Any]:
    return _counts(SurveillanceReport.objects.filter(kit=kit), SURVEILLANCE_SINGLES, CAPTURES + DEVICES)


def pressure_counts(kit: Kit) -> dict[str, Any]:
    return _counts(PressureReport.objects.filter(kit=kit), PRESSURE_SINGLES, COUNTED + USES + RESPONSES)


def _single(title: str, found: dict[str, int], choices: list[tuple[Any, str]]) -> Question:
    counts = {str(label): int(found.get(str(value), 0)) for value, label in choices}
    cells = suppress(counts)
    reasons = {c.label: (SMALL if counts[c.label] < MIN_COUNT else COVER) for c in cells if c.hidden}
    return Question(title, cells, multi=False, reasons=reasons)


def _boxes(title: str, counts: dict[str, Any], boxes: list[tuple[str, object]]) -> Question:
    """Each box is a count of reports that ticked it. Reports carry no team or other
    group, so a large count shows even when a few left the box unticked ("30 of 32 name
    the work computer"); a box ticked by fewer than 5, none included, stays hidden, for
    what it is."""
    cells = []
    for name, label in boxes:
        n = int(counts.get(name, 0))
        cells.append(Cell(str(label), None if n < MIN_COUNT else n))
    return Question(title, cells, multi=True, reasons={c.label: SMALL for c in cells if c.hidden})


def _summary(counts: dict[str, Any], questions: Callable[[], list[Question]]) -> Summary:
    total = int(counts.get("total", 0))
    shown = show_count(total)
    if shown is None:
        return Summary(total, None, [])
    return Summary(total, shown, questions())


def surveillance(kit: Kit, counts: dict[str, Any] | None = None) -> Summary:
    """From released `counts` (the organizer pages and the brief: see invariant 11), or,
    without them, from the rows (tests of the rule of 5 only: no page may show that)."""
    from django.utils.translation import gettext as _

    c = surveillance_counts(kit) if counts is None else counts
    return _summary(
        c,
        lambda: [
            _single(_("Tool"), c.get("tool", {}), SurveillanceReport.Tool.choices),
            _boxes(_("What it captures"), c, CAPTURES),
            _boxes(_("On which devices"), c, DEVICES),
            _single(_("Was it disclosed?"), c.get("disclosed", {}), SurveillanceReport.Disclosed.choices),
            _single(
                _("Does it feed evaluations?"),
                c.get("feeds_evaluations", {}),
                SurveillanceReport._meta.get_field("feeds_evaluations").choices,
            ),
            _single(_("Does its data train AI?"), c.get("trains_ai", {}), SurveillanceReport.TrainsAI.choices),
        ],
    )


def pressure(kit: Kit, counts: dict[str, Any] | None = None) -> Summary:
    from django.utils.translation import gettext as _

    c = pressure_counts(kit) if counts is None else counts
    return _summary(
        c,
        lambda: [
            _boxes(_("What is counted"), c, COUNTED),
            _boxes(_("How managers use it"), c, USES),
            _boxes(_("What people do about it"), c, RESPONSES),
            _single(_("How much pressure"), c.get("pressure", {}), PressureReport.Pressure.choices),
        ],
    )


def free_text_ready(kit: Kit) -> bool:
    return kit.report_count() >= MIN_FREE_TEXT


def ballot_figures(kit: Kit) -> dict[str, Any]:
    """The ballot's standings and head-to-head counts, JSON-ready, for a release: the
    results page reads them from there, so they too move only in releases. Keys are
    demand ids; the order is the standings' (a JSON object's key order doesn't survive
    PostgreSQL's jsonb). A release made before "wins" and "pairwise" were stored lacks
    them; readers say the table comes at the next release."""
    from . import filing

    if not kit.ballot_demands().exists():
        return {"ballots": 0, "standings": [], "pairwise": {}}
    result = filing.results(kit)
    return {
        "ballots": result.ballots,
        "standings": [
            {
                "demand": str(s.candidate.pk),
                "place": s.place,
                "approvals": s.approvals,
                "tied": s.tied,
                "wins": s.wins,
            }
            for s in result.standings
        ],
        "pairwise": {str(x.pk): {str(y.pk): n for y, n in row.items() if y != x} for x, row in result.pairwise.items()},
    }


# What the brief prints moves only in releases (DESIGN invariant 11): two briefs a day
# apart must not show which answers one new report or ballot gave.
SURVEILLANCE_RELEASE = releases.Kind(
    name="bargaining.surveillance",
    subject=Kit,
    rows=SurveillanceReport,
    parent="kit",
    live_figures=surveillance_counts,
)
PRESSURE_RELEASE = releases.Kind(
    name="bargaining.pressure", subject=Kit, rows=PressureReport, parent="kit", live_figures=pressure_counts
)
BALLOT_RELEASE = releases.Kind(
    name="bargaining.ballot", subject=Kit, rows=Ballot, parent="kit", live_figures=ballot_figures
)
RELEASES = (SURVEILLANCE_RELEASE, PRESSURE_RELEASE, BALLOT_RELEASE)

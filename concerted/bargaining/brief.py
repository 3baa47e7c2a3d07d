"""The bargaining brief: one PDF to take to the table.

It combines the chosen demands with the clauses that back them, the ballot result, the
survey results with their intervals, the surveillance and metric-pressure inventories
and the campaign's petition, pledge and card counts. It is built on the server from
counts only: no sealed record is opened, so it can hold no one's identity. Every
number about a group obeys the rule of 5."""

from __future__ import annotations

import datetime
import io
import logging
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from concerted.core.kanon import show_count
from concerted.core.pdf import escape, styles

from . import clauses, filing, stats
from .counting import Result
from .models import Demand, Kit

log = logging.getLogger(__name__)


def survey_rows(campaign: Any) -> list[dict[str, Any]] | None:
    """Survey results from concerted.surveys, or None when that app offers none yet."""
    try:
        from concerted.surveys.summary import brief_rows  # type: ignore[import-not-found]
    except ImportError:
        return None
    return list(brief_rows(campaign))


def campaign_counts(kit: Kit) -> list[tuple[str, str, str]]:
    """(kind, title, count as shown) for the campaign's petitions, pledges, cards...,
    gathered through campaigns.overview so no other app is imported. The brief may
    reach management, so it shows released counts only, never live ones."""
    from concerted.campaigns.overview import campaign_items

    rows = []
    for item in campaign_items(kit.campaign):
        if item.extra.get("app") == "bargaining" or item.shared_total is None:
            continue
        shown = show_count(item.shared_total)
        rows.append((str(item.kind), item.title, str(shown) if shown is not None else _("fewer than 5")))
    return rows


def _table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
    sheet = styles()
    body = [[Paragraph(escape(str(c)), sheet["Small"]) for c in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"))
    table.setStyle(TableStyle(commands))
    return table


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):.0f}%" if float(value) >= 1 or float(value) == 0 else f"{float(value):.1f}%"


def build(kit: Kit, today: datetime.date | None = None) -> bytes:
    sheet = styles()
    campaign = kit.campaign
    day = today or datetime.date.today()
    story: list[Any] = [
        Paragraph(escape(_("Bargaining brief: AI at work")), sheet["Title"]),
        Paragraph(escape(campaign.committee_name), sheet["Heading3"]),
        Paragraph(
            escape(
                _("%(employer)s · %(day)s")
                % {"employer": campaign.employer_name or campaign.name, "day": day.strftime("%d %B %Y")}
            ),
            sheet["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    story += _demands_section(kit)
    story += _support_section(kit)
    story += _survey_section(kit)
    story += _inventory_section(kit)
    story += _sources_section(kit)
    story += [
        Spacer(1, 0.5 * cm),
        Paragraph(
            escape(
                _(
                    "Counts come from anonymous reports, ballots and signatures; no one's identity was opened to "
                    "make this brief. Any group of fewer than 5 people is hidden, with the next-smallest group, so "
                    "no one can be singled out."
                )
            ),
            sheet["Small"],
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=LETTER,
        title=_("Bargaining brief"),
        author=campaign.committee_name,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    ).build(story)
    return out.getvalue()


def _demands_section(kit: Kit) -> list[Any]:
    sheet = styles()
    story: list[Any] = [Paragraph(escape(_("Our demands")), sheet["Heading1"])]
    result = filing.results(kit) if kit.ballot_demands().exists() else None
    chosen = list(kit.demands.filter(chosen=True, merged_into__isnull=True))
    if result is not None:
        place = {s.candidate.pk: s for s in result.standings}
        chosen.sort(key=lambda d: (place[d.pk].place if d.pk in place else 10**6, d.title))
    if not chosen:
        return [*story, Paragraph(escape(_("No demands chosen yet.")), sheet["BodyText"])]
    for i, demand in enumerate(chosen, start=1):
        story.append(Paragraph(escape(f"{i}. {demand.title}"), sheet["Heading2"]))
        story.append(Paragraph(escape(demand.text).replace("\n", "<br/>"), sheet["BodyText"]))
        notes = []
        if result is not None and demand.pk in place:
            s = place[demand.pk]
            notes.append(
                _("Ranked %(place)s of %(n)s by members%(tied)s; supported on %(approvals)s of %(ballots)s ballots.")
                % {
                    "place": s.place,
                    "n": len(result.standings),
                    "tied": _(" (tied)") if s.tied else "",
                    "approvals": s.approvals,
                    "ballots": result.ballots,
                }
            )
        if demand.from_proposals:
            notes.append(
                ngettext("Proposed by %(n)s coworker.", "Proposed by %(n)s coworkers.", demand.from_proposals)
                % {"n": demand.from_proposals}
            )
        if notes:
            story.append(Paragraph(escape(" ".join(notes)), sheet["Small"]))
        for clause in demand.clauses():
            story.append(
                Paragraph(
                    f"<b>{escape(clause.title)}</b> ({escape(clause.jurisdiction)}, {escape(clause.date)}; "
                    f"{escape(clause.status)}) {escape(clause.summary)}",
                    sheet["Small"],
                )
            )
            story.append(Paragraph(escape(_("Source: %(url)s") % {"url": clause.source_url}), sheet["Small"]))
            story.append(Spacer(1, 0.12 * cm))
        story.append(Spacer(1, 0.2 * cm))
    if result is not None and result.ballots:
        story.append(Paragraph(escape(_("How the ballot was counted")), sheet["Heading3"]))
        story.append(Paragraph(escape(method_text(result)), sheet["Small"]))
    return story


def method_text(result: Result[Demand]) -> str:
    return _(
        "%(n)s members each ranked the demands on the ballot (one ballot per invite code). A demand a ballot "
        "ranks at all counts as supported by it. The order is the Schulze method: demand A ranks above B when "
        "the strongest chain of head-to-head majorities from A to B beats the strongest chain from B to A; "
        "unranked demands count below ranked ones. Demands the method cannot separate are ordered by how many "
        "ballots support them; any still equal are shown as tied, and the committee decided between them."
    ) % {"n": result.ballots}


def _support_section(kit: Kit) -> list[Any]:
    sheet = styles()
    story: list[Any] = [Paragraph(escape(_("Support in numbers")), sheet["Heading1"])]
    rows = campaign_counts(kit)
    if kit.campaign.unit_size:
        story.append(
            Paragraph(escape(_("Bargaining unit: %(n)s coworkers.") % {"n": kit.campaign.unit_size}), sheet["Normal"])
        )
    if not rows:
        return [*story, Paragraph(escape(_("No petitions, pledges or cards yet.")), sheet["BodyText"])]
    story.append(_table([[_("What"), _("Title"), _("Count")], *[list(r) for r in rows]], [3 * cm, 10 * cm, 4 * cm]))
    return story


def _survey_section(kit: Kit) -> list[Any]:
    sheet = styles()
    story: list[Any] = [Paragraph(escape(_("Survey results")), sheet["Heading1"])]
    try:
        rows = survey_rows(kit.campaign)
    except Exception:  # a broken helper must not stop the brief; say so instead
        log.exception("survey results unavailable for the brief")
        rows = None
    if not rows:
        return [*story, Paragraph(escape(_("No survey results to show.")), sheet["BodyText"])]
    table: list[list[Any]] = [[_("Question"), _("Answer"), _("Count"), _("Share"), _("95% interval"), _("n")]]
    notes: list[str] = []
    last = None
    for row in rows:
        question = f"{row.get('survey', '')}: {row.get('question', '')}" if row.get("survey") else row.get("question")
        count = row.get("count")
        table.append(
            [
                question if question != last else "",
                row.get("option", ""),
                "—" if count is None else count,
                _pct(row.get("percent")) if count is not None else "—",
                f"{_pct(row.get('ci_low'))} – {_pct(row.get('ci_high'))}"
                if count is not None and row.get("ci_low") is not None
                else "—",
                row.get("n", ""),
            ]
        )
        last = question
        if row.get("note") and row["note"] not in notes:
            notes.append(str(row["note"]))
    story.append(_table(table, [5.5 * cm, 4 * cm, 1.6 * cm, 1.6 * cm, 3 * cm, 1.3 * cm]))
    for note in notes:
        story.append(Paragraph(escape(note), sheet["Small"]))
    story.append(Paragraph(escape(_("“—”: hidden because fewer than 5 people gave that answer.")), sheet["Small"]))
    return story


def _summary_table(summary: stats.Summary) -> list[Any]:
    sheet = styles()
    out: list[Any] = []
    for question in summary.questions:
        rows = [[question.title, _("Reports")]]
        rows += [[cell.label, _("hidden") if cell.hidden else cell.count] for cell in question.cells]
        out.append(_table(rows, [12 * cm, 3 * cm]))
        if question.multi:
            out.append(Paragraph(escape(_("More than one answer possible.")), sheet["Small"]))
        out.append(Spacer(1, 0.2 * cm))
    return out


def _inventory_section(kit: Kit) -> list[Any]:
    sheet = styles()
    story: list[Any] = []
    for heading, summary in (
        (_("Surveillance inventory"), stats.surveillance(kit)),
        (_("AI-usage quotas and leaderboards"), stats.pressure(kit)),
    ):
        story.append(Paragraph(escape(heading), sheet["Heading1"]))
        if not summary.visible:
            story.append(Paragraph(escape(_("Fewer than 5 reports so far: not shown.")), sheet["BodyText"]))
            continue
        story.append(
            Paragraph(
                escape(_("%(n)s anonymous reports from coworkers.") % {"n": summary.shown_total}), sheet["Normal"]
            )
        )
        story += _summary_table(summary)
    return story


def _sources_section(kit: Kit) -> list[Any]:
    sheet = styles()
    used = {k for d in kit.demands.filter(chosen=True) for k in d.clause_keys}
    library = [c for c in clauses.CLAUSES if c.key in used]
    if not library:
        return []
    story: list[Any] = [Paragraph(escape(_("Sources")), sheet["Heading1"])]
    for clause in library:
        mark = "" if clause.confirmed else _(" [not fully confirmed: %(why)s]") % {"why": clause.verification}
        story.append(Paragraph(escape(f"{clause.title} — {clause.source_url}{mark}"), sheet["Small"]))
    story.append(Paragraph(escape(_("Statuses as checked on %(day)s.") % {"day": clauses.CHECKED_ON}), sheet["Small"]))
    return story

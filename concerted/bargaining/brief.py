"""The bargaining brief: one PDF to take to the table.

It holds only what an organizer ticked on the brief page (`choices()`): chosen demands
with the clauses that back them and the ballot result, the campaign's petition, pledge
and card counts (a pledge that has not reached its threshold only if ticked: it is
never ticked by default), each survey question as released, and the surveillance and
metric-pressure inventories. The page shows a preview built from the same blocks as the
PDF (`blocks()`), so what was previewed is what is downloaded. It is built on the
server from counts only: no sealed record is opened, so it can hold no one's identity.
Every number about a group obeys the rule of 5."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from concerted.core import paper, releases
from concerted.core.kanon import show_count
from concerted.core.pdf import escape, styles

from . import clauses, stats
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
    return [(kind, title, shown) for _key, kind, title, shown, _reached, _note in _count_items(kit)]


def _count_items(kit: Kit) -> list[tuple[str, str, str, str, bool, str]]:
    """(choice key, kind, title, count as shown, ticked by default, why it isn't)."""
    from concerted.campaigns.overview import campaign_items

    rows = []
    for item in campaign_items(kit.campaign):
        if item.extra.get("app") == "bargaining" or item.shared_total is None:
            continue
        # A pledge short of its threshold is a promise that hasn't come due: never by default.
        default = item.extra.get("app") != "pledges" or item.extra.get("state") in ("reached", "active")
        note = ""
        if not default and item.extra.get("state") == "lapsed":
            # Over (the deadline passed, every pledge destroyed), not still short of its threshold.
            # Translators: beside a pledge in the brief's list of items, e.g. "Pledge: Refuse the tracker
            # (fewer than 5) (lapsed)".
            note = _("lapsed")
        elif not default:
            note = _("threshold not reached")
        key = "count:" + _digest(f"{item.kind}|{item.title}|{item.organizer_url}")
        rows.append((key, str(item.kind), item.title, _people(item.shared_total), default, note))
    return rows


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class Choice:
    key: str
    section: str
    label: str
    default: bool
    note: str = ""


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "p", "small", "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)


def choices(kit: Kit) -> list[Choice]:
    """Everything the brief can hold, each with whether it is ticked by default."""
    out: list[Choice] = []
    for demand in _chosen_demands(kit):
        out.append(Choice(f"demand:{demand.pk}", _("Demands"), demand.title, True))
    for key, kind, title, shown, default, note in _count_items(kit):
        out.append(Choice(key, _("Support in numbers"), f"{kind}: {title} ({shown})", default, note))
    for key, survey, question in _survey_questions(kit):
        out.append(Choice(key, _("Survey results"), f"{survey}: {question}", True))
    out.append(Choice("inventory:surveillance", _("Inventories"), _("Surveillance inventory"), True))
    out.append(Choice("inventory:pressure", _("Inventories"), _("AI-usage quotas and leaderboards"), True))
    return out


def default_selection(kit: Kit) -> set[str]:
    return {c.key for c in choices(kit) if c.default}


def _survey_key(survey: str, question: str) -> str:
    return "survey:" + _digest(f"{survey}|{question}")


def _survey_questions(kit: Kit) -> list[tuple[str, str, str]]:
    seen: dict[str, tuple[str, str, str]] = {}
    for row in _safe_survey_rows(kit) or []:
        key = _survey_key(str(row.get("survey", "")), str(row.get("question", "")))
        seen.setdefault(key, (key, str(row.get("survey", "")), str(row.get("question", ""))))
    return list(seen.values())


def _safe_survey_rows(kit: Kit) -> list[dict[str, Any]] | None:
    try:
        return survey_rows(kit.campaign)
    except Exception:  # a broken helper must not stop the brief; say so instead
        log.exception("survey results unavailable for the brief")
        return None


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


def blocks(kit: Kit, selected: set[str] | None = None, today: datetime.date | None = None) -> list[Block]:
    """The brief as blocks: the preview page and the PDF render the same list."""
    selected = default_selection(kit) if selected is None else selected
    campaign = kit.campaign
    day = today or datetime.date.today()
    out = [
        Block("title", _("Bargaining brief: AI at work")),
        Block("h3", campaign.committee_name),
        Block(
            "p",
            _("%(employer)s · %(day)s")
            % {"employer": campaign.employer_name or campaign.name, "day": date_format(day)},
        ),
    ]
    out += _demands_section(kit, selected)
    out += _support_section(kit, selected)
    out += _survey_section(kit, selected)
    out += _inventory_section(kit, selected)
    out += _sources_section(kit, selected)
    out.append(
        Block(
            "small",
            _(
                "Counts come from anonymous reports, ballots and signatures; no one's identity was opened to "
                "make this brief. Any group of fewer than 5 people is hidden, with what would give it away, so "
                "no one can be singled out."
            ),
        )
    )
    return out


def build(
    kit: Kit, today: datetime.date | None = None, selected: set[str] | None = None, paper_name: str | None = None
) -> bytes:
    """The brief as a PDF on `paper_name` ("a4", "letter"; default: the installation's paper)."""
    sheet = styles()
    pagesize = paper.page_size(paper_name)
    margin = 2 * cm
    text_width = pagesize[0] - 2 * margin
    story: list[Any] = []
    for block in blocks(kit, selected, today):
        if block.kind == "table":
            # A table wider than the text (a weighted survey's is 17.6 cm; A4's text is
            # 17 cm wide, Letter's 17.6) would run into the right margin: it is narrowed
            # to fit, its columns in the same proportions.
            widths = [w * cm for w in block.widths]
            fit = min(1.0, text_width / sum(widths)) if widths else 1.0
            story.append(_table(block.rows, [w * fit for w in widths]))
            continue
        style = {"title": "Title", "h1": "Heading1", "h2": "Heading2", "h3": "Heading3", "p": "BodyText"}.get(
            block.kind, "Small"
        )
        story.append(Paragraph(escape(block.text).replace("\n", "<br/>"), sheet[style]))
        if block.kind == "title" or block.kind == "p":
            story.append(Spacer(1, 0.2 * cm))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=pagesize,
        title=_("Bargaining brief"),
        author=kit.campaign.committee_name,
        leftMargin=margin,
        rightMargin=margin,
    ).build(story)
    return out.getvalue()


def _released_ballot(kit: Kit) -> tuple[int, dict[str, dict[str, Any]]]:
    """The ballot's count and standings as last released, by demand id."""
    figures = releases.figures(kit, stats.BALLOT_RELEASE.name)
    return int(figures.get("ballots", 0)), {s["demand"]: s for s in figures.get("standings", [])}


def _chosen_demands(kit: Kit) -> list[Demand]:
    _ballots, place = _released_ballot(kit)
    chosen = list(kit.demands.filter(chosen=True, merged_into__isnull=True))
    chosen.sort(key=lambda d: (place[str(d.pk)]["place"] if str(d.pk) in place else 10**6, d.title))
    return chosen


def _demands_section(kit: Kit, selected: set[str]) -> list[Block]:
    chosen = [d for d in _chosen_demands(kit) if f"demand:{d.pk}" in selected]
    if not chosen:
        return []
    out = [Block("h1", _("Our demands"))]
    ballots, place = _released_ballot(kit)
    for i, demand in enumerate(chosen, start=1):
        out.append(Block("h2", f"{i}. {demand.title}"))
        out.append(Block("p", demand.text))
        notes = []
        if ballots and str(demand.pk) in place:
            s = place[str(demand.pk)]
            notes.append(
                _("Ranked %(place)s of %(n)s by members%(tied)s; supported on %(approvals)s of %(ballots)s ballots.")
                % {
                    "place": s["place"],
                    "n": len(place),
                    "tied": _(" (tied)") if s["tied"] else "",
                    "approvals": _people(s["approvals"]),
                    "ballots": ballots,
                }
            )
        if demand.from_proposals:
            # How many proposed it is a group of people: under 5 it would point at them.
            if show_count(demand.from_proposals) is None:
                notes.append(_("Proposed by fewer than 5 coworkers."))
            else:
                notes.append(
                    ngettext("Proposed by %(n)s coworker.", "Proposed by %(n)s coworkers.", demand.from_proposals)
                    % {"n": demand.from_proposals}
                )
        if notes:
            out.append(Block("small", " ".join(notes)))
        for clause in demand.clauses():
            out.append(
                Block(
                    "small",
                    f"{clause.title} ({clause.jurisdiction}, {clause.date}; {clause.status}) {clause.summary}",
                )
            )
            out.append(Block("small", _("Source: %(url)s") % {"url": clause.source_url}))
    if ballots:
        out.append(Block("h3", _("How the ballot was counted")))
        out.append(Block("small", method_text(ballots)))
    return out


def _people(n: int) -> str:
    """A count of people as the brief prints it: under 5, "fewer than 5" (it may reach
    management, and a small count points at the few it counts)."""
    shown = show_count(n)
    return str(shown) if shown is not None else _("fewer than 5")


def method_text(ballots: int) -> str:
    return _(
        "%(n)s members each ranked the demands on the ballot (one ballot per invite code). A demand a ballot "
        "ranks at all counts as supported by it. The order is the Schulze method: demand A ranks above B when "
        "the strongest chain of head-to-head majorities from A to B beats the strongest chain from B to A; "
        "unranked demands count below ranked ones. Demands the method cannot separate are ordered by how many "
        "ballots support them; any still equal are shown as tied, and the committee decided between them."
    ) % {"n": ballots}


def _support_section(kit: Kit, selected: set[str]) -> list[Block]:
    rows = [[kind, title, shown] for key, kind, title, shown, _d, _note in _count_items(kit) if key in selected]
    if not rows:
        return []
    out = [Block("h1", _("Support in numbers"))]
    if kit.campaign.unit_size:
        out.append(Block("p", _("Bargaining unit: %(n)s coworkers.") % {"n": kit.campaign.unit_size}))
    out.append(Block("table", rows=[[_("What"), _("Title"), _("Count")], *rows], widths=[3, 10, 4]))
    return out


def _survey_section(kit: Kit, selected: set[str]) -> list[Block]:
    rows = _safe_survey_rows(kit)
    if rows is None:
        if any(key.startswith("survey:") for key in selected) or not _survey_questions(kit):
            return [Block("h1", _("Survey results")), Block("p", _("No survey results to show."))]
        return []
    picked = [r for r in rows if _survey_key(str(r.get("survey", "")), str(r.get("question", ""))) in selected]
    if not picked:
        return []
    out = [Block("h1", _("Survey results"))]
    weighted = any(r.get("weighted_percent") is not None for r in picked)
    header = [_("Question"), _("Answer"), _("People (unweighted count)"), _("% of those who answered (unweighted)")]
    if weighted:
        header.append(_("Weighted % (to the unit's make-up)"))
    header += [_("95% interval"), _("Answered")]
    table: list[list[str]] = [header]
    notes: list[str] = []
    hidden_used: dict[str, str] = {}
    surveys_seen: list[str] = []
    last = None
    for row in picked:
        survey = str(row.get("survey", ""))
        if survey not in surveys_seen:
            surveys_seen.append(survey)
            if row.get("release"):
                notes.append(_("“%(s)s”: results as released (release %(n)s).") % {"s": survey, "n": row["release"]})
            if row.get("no_code"):
                notes.append(
                    _(
                        "Warning: all %(n)s responses to “%(s)s” came without an invite code. Anyone with the link "
                        "could answer more than once, so some people may be counted twice or more."
                    )
                    % {"n": row["no_code"], "s": survey}
                )
        question = f"{survey}: {row.get('question', '')}"
        count = row.get("count")
        if count is None:
            label = _hidden_label(str(row.get("hidden_reason") or ""))
            hidden_used[label] = str(row.get("hidden") or row.get("note") or "")
            cells = [label, ""] + ([""] if weighted else []) + ["", ""]
        else:
            cells = [str(count), _pct(row.get("percent")) if row.get("percent") is not None else _("not shown")]
            if weighted:
                cells.append(_pct(row.get("weighted_percent")) if row.get("weighted_percent") is not None else "")
            cells.append(
                f"{_pct(row.get('ci_low'))} – {_pct(row.get('ci_high'))}" if row.get("ci_low") is not None else ""
            )
            cells.append("" if row.get("n") is None else str(row["n"]))
        table.append([question if question != last else "", str(row.get("option", "")), *cells])
        last = question
        if row.get("note") and row["note"] not in notes:
            notes.append(str(row["note"]))
    widths = [4.5, 3, 2, 2.3] + ([2.3] if weighted else []) + [2, 1.5]
    out.append(Block("table", rows=table, widths=widths))
    for label, meaning in hidden_used.items():
        out.append(Block("small", f"“{label}”: {meaning}"))
    for note in notes:
        out.append(Block("small", note))
    return out


def _hidden_label(reason: str) -> str:
    """One label per meaning, the same words as the results pages."""
    return {"small": _("fewer than 5"), "cover": _("hidden to protect"), "group": _("group not shown")}.get(
        reason, _("not released")
    )


def _inventory_section(kit: Kit, selected: set[str]) -> list[Block]:
    out: list[Block] = []
    for key, heading, summarize, kind in (
        ("inventory:surveillance", _("Surveillance inventory"), stats.surveillance, stats.SURVEILLANCE_RELEASE),
        ("inventory:pressure", _("AI-usage quotas and leaderboards"), stats.pressure, stats.PRESSURE_RELEASE),
    ):
        if key not in selected:
            continue
        released = releases.figures(kit, kind.name)
        summary = summarize(kit, dict(released))
        out.append(Block("h1", heading))
        if released.released_at is not None:
            out.append(
                Block("small", _("As released on %(day)s.") % {"day": released.released_at.strftime("%d %B %Y")})
            )
        if not summary.visible:
            out.append(Block("p", _("Fewer than 5 reports so far: not shown.")))
            continue
        out.append(Block("p", _("%(n)s anonymous reports from coworkers.") % {"n": summary.shown_total}))
        used = set()
        for question in summary.questions:
            rows = [[question.title, _("Reports")]]
            for label, count, hidden in question.rows():
                rows.append([label, hidden or str(count)])
                if hidden:
                    used.add(hidden)
            out.append(Block("table", rows=rows, widths=[12, 3]))
            if question.multi:
                out.append(Block("small", _("More than one answer possible.")))
        if str(_("fewer than 5")) in used:
            out.append(Block("small", _("“fewer than 5”: fewer than 5 reports gave that answer.")))
        if str(_("hidden to protect")) in used:
            out.append(
                Block(
                    "small",
                    _(
                        "“hidden to protect”: not small itself, hidden so a small count can't be worked out by subtraction."
                    ),
                )
            )
    return out


def _sources_section(kit: Kit, selected: set[str]) -> list[Block]:
    used = {k for d in _chosen_demands(kit) if f"demand:{d.pk}" in selected for k in d.clause_keys}
    library = [c for c in clauses.CLAUSES if c.key in used]
    if not library:
        return []
    out = [Block("h1", _("Sources"))]
    for clause in library:
        mark = "" if clause.confirmed else _(" [not fully confirmed: %(why)s]") % {"why": clause.verification}
        out.append(Block("small", f"{clause.title} — {clause.source_url}{mark}"))
    out.append(Block("small", _("Statuses as checked on %(day)s.") % {"day": clauses.CHECKED_ON}))
    return out

"""Built on the organizer's machine by `concerted reveal`: the signed-card list for a
filing (with every card re-checked) and the wall chart (`concerted wallchart`)."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from concerted.core import dedup, markdown
from concerted.core.paper import page_size
from concerted.core.pdf import escape, row_tables, styles
from concerted.core.reveal import Revealed

from .forms import signature_matches
from .models import ASSESSMENTS, majority_needed, percent_needed, showing_needed


def card_problems(row: dict[str, Any]) -> list[str]:
    """What is wrong with an opened card beyond its envelope (which reveal already checked)."""
    problems = []
    text = str(row.get("card_text", ""))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not text or digest != row.get("card_text_sha256"):
        problems.append(_("the card text does not match its recorded hash"))
    # A card signed in another language seals the version it translates; the row's
    # clear hash is that version's.
    if row.get("text_hash") and row.get("text_hash") != row.get("card_version_sha256", digest):
        problems.append(_("the server's record of the card text differs from the sealed card"))
    if row.get("consent") is not True:
        problems.append(_("no consent to sign electronically"))
    if not signature_matches(str(row.get("full_name", "")), str(row.get("typed_signature", ""))):
        problems.append(_("the typed signature does not match the name"))
    if row.get("signed_on") != row.get("day"):
        problems.append(_("the sealed date differs from the row's day"))
    return problems


def _fullness(row: dict[str, Any]) -> tuple[int, int]:
    """How much a card says: words in the name, then filled fields."""
    fields = ("full_name", "employer", "job_classification", "phone", "email", "typed_signature")
    return (len(str(row.get("full_name") or "").split()), sum(1 for f in fields if str(row.get(f) or "").strip()))


def keep_latest(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """One card per signer: cards sharing a phone or email (core/dedup.py's rule) are one
    person, and the card they signed last is the one they mean (a corrected name, an
    added email). A card keeps only its day, so on the same day the fuller card stays.
    Returns (the cards kept, how many repeats were set aside)."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, row in enumerate(rows):
        for name in ("phone", "email"):
            value = str(row.get(name) or "").strip()
            if not value:
                continue
            key = dedup.normalize_contact(value)
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    kept = [
        rows[
            max(members, key=lambda i: (str(rows[i].get("signed_on") or rows[i].get("day") or ""), *_fullness(rows[i])))
        ]
        for members in groups.values()
    ]
    return kept, len(rows) - len(kept)


def _table(
    rows: list[list[str]], widths: list[float], sheet: Any, extra_style: list[tuple[Any, ...]] | None = None
) -> list[Table]:
    """rows[0] is the header; long lists become many small tables (see core.pdf)."""
    return row_tables([list(r) for r in rows[1:]], widths, header=list(rows[0]), wrap=True, extra_style=extra_style)


def _build(story: list[Any], title: str, author: str, paper: str | None) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=landscape(page_size(paper)),
        title=title,
        author=author,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    ).build(story)
    return out.getvalue()


def cards_pdf(revealed: Revealed, today: datetime.date | None = None, *, paper: str | None = None) -> bytes:
    """The card filing, landscape on `paper` ("a4", "letter"; default: this computer's,
    core/paper.py)."""
    export = revealed.export
    unit, campaign = export["parent"], export["campaign"]
    sheet = styles()
    failed = revealed.failures
    # `concerted reveal` may have set repeats aside already (core/dedup.py); whatever is
    # left here, the latest card of each signer stays. Every opened record that is not
    # listed below is a repeat: the PDF says how many.
    good, _set_aside = keep_latest(list(revealed.rows))
    opened = len(export.get("records") or []) - len(failed)
    repeats = max(opened - len(good), 0)
    good.sort(key=lambda r: (str(r.get("full_name", "")).casefold(), r.get("signed_on", "")))
    size = int(unit.get("size") or 0)
    n = len(good)
    title = _("Signed authorization cards: %(unit)s") % {"unit": unit["name"]}
    story: list[Any] = [
        Paragraph(escape(title), sheet["Title"]),
        Paragraph(escape(_("Employer: %(employer)s") % {"employer": unit["employer"]}), sheet["Normal"]),
        Paragraph(escape(_("Union: %(union)s") % {"union": unit["union"]}), sheet["Normal"]),
        Paragraph(
            escape(
                _("Prepared %(day)s by %(who)s")
                % {"day": (today or datetime.date.today()).isoformat(), "who": campaign["committee"]}
            ),
            sheet["Normal"],
        ),
        Spacer(1, 0.3 * cm),
    ]
    if size:
        story.append(
            Paragraph(
                escape(
                    _(
                        "%(n)d verified cards in a unit of %(size)d (%(pct)d%%). 30%% showing: %(showing)d; "
                        "majority: %(majority)d; committee goal (%(gp)d%%): %(goal)d."
                    )
                    % {
                        "n": n,
                        "size": size,
                        "pct": n * 100 // size,
                        "showing": showing_needed(size),
                        "majority": majority_needed(size),
                        "gp": int(unit.get("goal_percent") or 0),
                        "goal": percent_needed(size, int(unit.get("goal_percent") or 0)),
                    }
                ),
                sheet["Heading3"],
            )
        )
    versions = Counter((r.get("card_text_sha256"), r.get("card_text")) for r in good)
    story.append(Paragraph(escape(_("Card text signed")), sheet["Heading2"]))
    for number, ((digest, text), count) in enumerate(versions.most_common(), start=1):
        story.append(
            Paragraph(
                escape(
                    _("Version %(v)d — %(n)d cards — SHA-256 %(digest)s") % {"v": number, "n": count, "digest": digest}
                ),
                sheet["Small"],
            )
        )
        story += markdown.to_flowables(str(text), sheet["BodyText"])
    version_of = {digest: number for number, ((digest, _text), _n) in enumerate(versions.most_common(), start=1)}
    story.append(Paragraph(escape(_("Signers")), sheet["Heading2"]))
    header = [
        "#",
        _("Full name"),
        _("Signed on"),
        _("Employer"),
        _("Job classification"),
        _("Typed signature"),
        _("Phone"),
        _("Email"),
        _("Ver."),
    ]
    rows = [
        [
            str(i),
            r.get("full_name", ""),
            r.get("signed_on", ""),
            r.get("employer", ""),
            r.get("job_classification", ""),
            r.get("typed_signature", ""),
            r.get("phone", ""),
            r.get("email", ""),
            str(version_of.get(r.get("card_text_sha256"), "")),
        ]
        for i, r in enumerate(good, start=1)
    ]
    if repeats:
        story.append(
            Paragraph(
                escape(
                    ngettext(
                        "%(n)d repeated card was set aside: a signer who signed more than once (the same phone "
                        "or email) is listed once, with the card they signed last.",
                        "%(n)d repeated cards were set aside: a signer who signed more than once (the same phone "
                        "or email) is listed once, with the card they signed last.",
                        repeats,
                    )
                    % {"n": repeats}
                ),
                sheet["BodyText"],
            )
        )
    if rows:
        # "Signed on" wide enough for a whole ISO date on one line.
        widths = [0.8, 4.0, 2.4, 2.8, 3.4, 3.5, 3.2, 3.6, 1.1]
        story.extend(_table([header, *rows], [w * cm for w in widths], sheet))
    else:
        story.append(Paragraph(escape(_("No verified cards.")), sheet["BodyText"]))
    names = Counter(" ".join(str(r.get("full_name", "")).casefold().split()) for r in good)
    same_names = sorted(name for name, count in names.items() if count > 1)
    if same_names:
        story.append(Paragraph(escape(_("Possible duplicates (same name, different phone)")), sheet["Heading2"]))
        story.append(Paragraph(escape(", ".join(same_names)), sheet["BodyText"]))
    story.append(Paragraph(escape(_("Cards that FAILED verification")), sheet["Heading2"]))
    if failed:
        story.append(
            Paragraph(
                escape(_("These %(n)d cards are not counted above. Do not file them.") % {"n": len(failed)}),
                sheet["BodyText"],
            )
        )
        story.extend(
            _table([[_("Card id"), _("Reason")], *[[rid, why] for rid, why in failed]], [9 * cm, 15 * cm], sheet)
        )
    else:
        story.append(Paragraph(escape(_("None: every card verified.")), sheet["BodyText"]))
    return _build(story, title, campaign["committee"], paper)


def roster_pdf(revealed: Revealed, *, paper: str | None = None) -> bytes:
    """The wall chart (`concerted wallchart`): everyone on the roster by department and
    shift, with the current assessment and its day, whether a card matched them, and
    their last one-on-one with its next step. Landscape on `paper` (as cards_pdf)."""
    export = revealed.export
    unit, campaign = export["parent"], export["campaign"]
    sheet = styles()
    title = _("Wall chart: %(unit)s") % {"unit": unit["name"]}
    rows = sorted(
        revealed.rows,
        # People with no department or shift recorded come after the named groups, as on
        # the browser's chart.
        key=lambda r: (
            not r.get("department"),
            str(r.get("department") or ""),
            not r.get("shift"),
            str(r.get("shift") or ""),
            str(r.get("name", "")).casefold(),
        ),
    )
    # The CSV's columns but the id and the day added: the paper chart tells the same
    # story (when each assessment was made, the last conversation and what comes next).
    header = [
        _("Department"),
        _("Shift"),
        _("Site"),
        _("Job classification"),
        _("Name"),
        _("Contact"),
        _("Assessment"),
        _("Assessed on"),
        _("Card signed"),
        _("Last one-on-one → next step"),
    ]
    body = [
        [
            r.get("department") or "",
            r.get("shift") or "",
            r.get("site") or "",
            r.get("classification") or "",
            r.get("name", ""),
            r.get("contact", ""),
            str(dict(ASSESSMENTS).get(int(r["assessment"]), "")) if str(r.get("assessment", "")).isdigit() else "—",
            r.get("assessed_on") or "",
            r.get("card", ""),
            " → ".join(str(part) for part in (r.get("last_one_on_one"), r.get("next_step")) if part),
        ]
        for r in rows
    ]
    n = len(rows)
    story: list[Any] = [
        Paragraph(escape(title), sheet["Title"]),
        Paragraph(
            escape(ngettext("%(n)d person on the roster", "%(n)d people on the roster", n) % {"n": n}), sheet["Normal"]
        ),
        Spacer(1, 0.3 * cm),
        # Ten columns across a landscape page (24.9 cm inside the margins on Letter, the
        # shorter of the two papers, core/paper.py; 26.7 cm on A4): narrower cell
        # padding, and "Assessed on" wide enough for a whole ISO date on one line.
        *_table(
            [header, *body],
            [w * cm for w in (2.3, 1.7, 1.8, 2.4, 3.0, 3.1, 2.3, 2.0, 1.8, 4.5)],
            sheet,
            extra_style=[("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)],
        ),
    ]
    if revealed.failures:
        story.append(Paragraph(escape(_("Records that FAILED verification")), sheet["Heading2"]))
        story.extend(_table([[_("Id"), _("Reason")], *revealed.failures], [9 * cm, 15 * cm], sheet))
    return _build(story, title, campaign["committee"], paper)

"""The committee's own list of who pledged, opened on the organizer's machine once the
pledge is active. Not for management: it is the roster the committee acts with."""

from __future__ import annotations

import datetime
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from concerted.core import markdown
from concerted.core.paper import page_size
from concerted.core.pdf import escape, row_tables, styles
from concerted.core.reveal import Revealed


def pledge_pdf(revealed: Revealed, today: datetime.date | None = None, *, paper: str | None = None) -> bytes:
    """The pledge list on `paper` ("a4", "letter"; default: this computer's, core/paper.py)."""
    export = revealed.export
    parent = export["parent"]
    campaign = export["campaign"]
    sheet = styles()
    rows = sorted(revealed.rows, key=lambda r: str(r.get("name", "")).casefold())
    day = date_format(today or datetime.date.today())
    story = [
        Paragraph(escape(parent["title"]), sheet["Title"]),
        Paragraph(escape(campaign["committee"]), sheet["Normal"]),
        Paragraph(escape(_("Confidential: the committee's list, printed %(day)s") % {"day": day}), sheet["Small"]),
        Spacer(1, 0.4 * cm),
        *markdown.to_flowables(str(parent.get("promise", "")), sheet["BodyText"]),
        Paragraph(
            escape(
                _("%(n)d people pledged (threshold %(t)s, confirmed %(on)s).")
                % {"n": len(rows), "t": parent.get("threshold", ""), "on": parent.get("confirmed_on", "")}
            ),
            sheet["Heading2"],
        ),
    ]
    if rows:
        story += row_tables(
            [[str(r.get("name", "")), str(r.get("contact", "")), str(r.get("day", ""))] for r in rows],
            [7 * cm, 6.5 * cm, 3 * cm],
        )
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=page_size(paper),
        title=parent["title"],
        author=campaign["committee"],
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    ).build(story)
    return out.getvalue()

"""The petition as delivered to management: the demand, the names of those who agreed
to be named, and a count of everyone else. Built on the organizer's machine."""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from concerted.core.pdf import escape, styles
from concerted.core.reveal import Revealed

TABLE_ROWS = 40


def petition_pdf(revealed: Revealed, today: datetime.date | None = None) -> bytes:
    export = revealed.export
    parent = export["parent"]
    campaign = export["campaign"]
    sheet = styles()
    named = sorted(
        (r for r in revealed.rows if r.get("consent_named")), key=lambda r: str(r.get("name", "")).casefold()
    )
    unnamed = len(revealed.rows) - len(named)
    day = (today or datetime.date.today()).strftime("%d %B %Y")

    story = [
        Paragraph(escape(parent["title"]), sheet["Title"]),
        Paragraph(escape(_("To: %(to)s") % {"to": parent["addressee"]}), sheet["Heading3"]),
        Paragraph(escape(_("From: %(who)s") % {"who": campaign["committee"]}), sheet["Normal"]),
        Paragraph(escape(day), sheet["Normal"]),
        Spacer(1, 0.5 * cm),
    ]
    for para in str(parent["body"]).split("\n\n"):
        story.append(Paragraph(escape(para).replace("\n", "<br/>"), sheet["BodyText"]))
    story += [
        Spacer(1, 0.5 * cm),
        Paragraph(
            escape(_("Signed by %(total)d coworkers.") % {"total": len(revealed.rows)}),
            sheet["Heading2"],
        ),
    ]
    if named:
        # Many small tables, not one huge one: reportlab lays out a table as a whole,
        # which is quadratic-ish in its rows (100,000 names took minutes).
        style = TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), sheet["Normal"].fontName),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
        cells = [[str(r.get("name", "")), str(r.get("day", ""))] for r in named]
        for start in range(0, len(cells), TABLE_ROWS):
            table = Table(cells[start : start + TABLE_ROWS], colWidths=[11 * cm, 4 * cm])
            table.setStyle(style)
            story.append(table)
    if unnamed:
        story += [
            Spacer(1, 0.3 * cm),
            Paragraph(
                escape(_("…and %(n)d more coworkers who signed without being named.") % {"n": unnamed}),
                sheet["BodyText"],
            ),
        ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=LETTER, title=parent["title"], author=campaign["committee"], leftMargin=2 * cm, rightMargin=2 * cm
    ).build(story)
    return out.getvalue()

"""The petition as delivered to management: the demand, the names of those who agreed
to be named, and a count of everyone else. Built on the organizer's machine."""

from __future__ import annotations

import datetime
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from concerted.core import markdown
from concerted.core.pdf import escape, row_tables, styles
from concerted.core.reveal import Revealed


def petition_pdf(revealed: Revealed, today: datetime.date | None = None) -> bytes:
    export = revealed.export
    parent = export["parent"]
    campaign = export["campaign"]
    sheet = styles()
    named = sorted(
        (r for r in revealed.rows if r.get("consent_named")), key=lambda r: str(r.get("name", "")).casefold()
    )
    unnamed = len(revealed.rows) - len(named)
    day = date_format(today or datetime.date.today(), "j F Y")

    story = [
        Paragraph(escape(parent["title"]), sheet["Title"]),
        Paragraph(escape(_("To: %(to)s") % {"to": parent["addressee"]}), sheet["Heading3"]),
        Paragraph(escape(_("From: %(who)s") % {"who": campaign["committee"]}), sheet["Normal"]),
        Paragraph(escape(day), sheet["Normal"]),
        Spacer(1, 0.5 * cm),
    ]
    story += markdown.to_flowables(str(parent["body"]), sheet["BodyText"])
    story += [
        Spacer(1, 0.5 * cm),
        Paragraph(
            escape(_("Signed by %(total)d coworkers.") % {"total": len(revealed.rows)}),
            sheet["Heading2"],
        ),
    ]
    if named:
        story += row_tables([[str(r.get("name", "")), str(r.get("day", ""))] for r in named], [11 * cm, 4 * cm])
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

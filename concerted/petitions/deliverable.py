"""The petition as delivered to management: the demand, the count of everyone who
signed, and the names of those who agreed to be named, once enough did (safety in
numbers, DESIGN invariant 5: `core.reveal.deliverable_names`). Names are sorted
alphabetically, with no signing day beside them: the only date on the page is the
delivery date. Built on the organizer's machine."""

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
from concerted.core.reveal import Revealed, deliverable_names, names_withheld_message, tell_organizer


def petition_pdf(revealed: Revealed, today: datetime.date | None = None, *, paper: str | None = None) -> bytes:
    """The petition on `paper` ("a4", "letter"; default: this computer's, core/paper.py)."""
    export = revealed.export
    parent = export["parent"]
    campaign = export["campaign"]
    sheet = styles()
    named = deliverable_names(revealed.rows)
    if named.withheld:
        tell_organizer(lambda: names_withheld_message(named))
    unnamed = len(revealed.rows) - len(named.names)
    day = date_format(today or datetime.date.today())  # the delivery date, the page's only date

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
    if named.names:
        story += row_tables([[name] for name in named.names], [15 * cm])
    if named.names and unnamed:
        story += [
            Spacer(1, 0.3 * cm),
            Paragraph(
                escape(_("…and %(n)d more coworkers who signed without being named.") % {"n": unnamed}),
                sheet["BodyText"],
            ),
        ]
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

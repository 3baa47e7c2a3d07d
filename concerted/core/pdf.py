"""PDF building blocks shared by every report (reportlab Platypus).

Fonts: DejaVu Sans when the system has it (wide Unicode coverage for names), else
Bitstream Vera, which reportlab ships, so a PDF always renders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path(reportlab.__file__).parent / "fonts" / "Vera.ttf", Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"),
]


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    for regular, bold in _CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("Body", str(regular)))
            pdfmetrics.registerFont(TTFont("Body-Bold", str(bold)))
            return "Body", "Body-Bold"
    return "Helvetica", "Helvetica-Bold"


@lru_cache(maxsize=1)
def styles() -> StyleSheet1:
    regular, bold = fonts()
    sheet = getSampleStyleSheet()
    for name in ("Normal", "BodyText", "Title", "Heading1", "Heading2", "Heading3"):
        sheet[name].fontName = bold if name != "Normal" and name != "BodyText" else regular
    sheet.add(ParagraphStyle("Small", parent=sheet["Normal"], fontSize=8, leading=10, alignment=TA_LEFT))
    return sheet


def escape(text: str) -> str:
    """Paragraph text is mini-HTML: escape what a participant typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TABLE_ROWS = 40


def row_tables(
    rows: list[list[str]],
    widths: list[float],
    *,
    header: list[str] | None = None,
    wrap: bool = False,
    extra_style: list[tuple[Any, ...]] | None = None,
) -> list[Table]:
    """A long list (signers, cards) as many small tables of TABLE_ROWS rows.

    reportlab lays out a table as a whole, so one table of 100,000 rows takes minutes;
    small ones take seconds. With wrap=True cells become Paragraphs (text is escaped
    and wraps); otherwise they are plain strings (drawn as-is, never parsed as markup).
    A header repeats at the top of every chunk."""
    sheet = styles()
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), sheet["Normal"].fontName),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            *(extra_style or []),
        ]
    )
    if header:
        style.add("BACKGROUND", (0, 0), (-1, 0), "#eeeeee")

    def cell(value: object) -> object:
        return Paragraph(escape(str(value)), sheet["Small"]) if wrap else str(value)

    tables = []
    for start in range(0, len(rows), TABLE_ROWS):
        chunk = ([header] if header else []) + rows[start : start + TABLE_ROWS]
        table = Table([[cell(v) for v in row] for row in chunk], colWidths=widths, repeatRows=1 if header else 0)
        table.setStyle(style)
        tables.append(table)
    return tables

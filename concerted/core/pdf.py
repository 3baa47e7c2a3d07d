"""PDF building blocks shared by every report (reportlab Platypus).

Fonts: DejaVu Sans when the system has it (wide Unicode coverage for names), else
Bitstream Vera, which reportlab ships, so a PDF always renders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import reportlab
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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

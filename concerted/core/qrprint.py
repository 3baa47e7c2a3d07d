"""QR codes and sheets of cut-out cards, for every PDF that prints them: the flyers'
tear-off invite cards (concerted/flyers/pdf.py) and the elections' voting cards
(concerted/elections/voting_cards.py).

QR codes use error correction M or better and are drawn as vectors, with a quiet zone of
QUIET_MODULES around them that the caller leaves white. Cards come CARDS_PER_PAGE to a
page, inside dashed cut lines, on whatever paper the caller was given (core/paper.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import segno
from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 4
CARDS_PER_PAGE = (2, 4)  # columns, rows
CARD_MARGIN = 1.0 * cm  # between the outer cut lines and the paper's edge: printers don't print there
_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
_MONO_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")

Item = TypeVar("Item")


@lru_cache(maxsize=1)
def mono_fonts() -> tuple[str, str]:
    """A monospace font for codes people type: each character as wide as the next, so
    groups line up and 0/O, 1/l don't blur together. Courier when DejaVu is missing."""
    if _MONO.exists() and _MONO_BOLD.exists():
        pdfmetrics.registerFont(TTFont("Mono", str(_MONO)))
        pdfmetrics.registerFont(TTFont("Mono-Bold", str(_MONO_BOLD)))
        return "Mono", "Mono-Bold"
    return "Courier", "Courier-Bold"


def make_qr(data: str) -> segno.QRCode:
    """Error correction M at least (segno raises it for free when the version allows)."""
    return segno.make_qr(data, error="m", boost_error=True)


def draw_qr(canvas: Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """Draw the symbol with its lower-left corner at (x, y), `size` wide without the
    quiet zone; the caller leaves QUIET_MODULES of white around it. One filled path,
    so renderers don't leave hairline seams between modules."""
    matrix = qr.matrix
    n = len(matrix)
    module = size / n
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x + start * module, y + size - (r + 1) * module, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def quiet(size: float, qr: segno.QRCode) -> float:
    """The width of the quiet zone a symbol drawn `size` wide needs."""
    return size / len(qr.matrix) * QUIET_MODULES


def short_address(url: str) -> str:
    """The address as printed: without the https:// people needn't type."""
    return url.removeprefix("https://")


def card_sheets(
    canvas: Canvas,
    pagesize: tuple[float, float],
    items: Sequence[Item],
    draw_card: Callable[[Canvas, Item, float, float, float, float], None],
) -> None:
    """One card per item, CARDS_PER_PAGE to a page, each page with its dashed cut lines.
    `draw_card(canvas, item, x, y, width, height)` draws one card in the box whose
    lower-left corner is (x, y); the page is shown after its last card."""
    width, height = pagesize
    cols, rows = CARDS_PER_PAGE
    card_w = (width - 2 * CARD_MARGIN) / cols
    card_h = (height - 2 * CARD_MARGIN) / rows
    per_page = cols * rows
    for start in range(0, len(items), per_page):
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.5)
        canvas.setStrokeColor(colors.grey)
        for c in range(cols + 1):
            x = CARD_MARGIN + c * card_w
            canvas.line(x, CARD_MARGIN, x, height - CARD_MARGIN)
        for r in range(rows + 1):
            y = CARD_MARGIN + r * card_h
            canvas.line(CARD_MARGIN, y, width - CARD_MARGIN, y)
        canvas.restoreState()
        for i, item in enumerate(items[start : start + per_page]):
            col, row = i % cols, i // cols
            draw_card(
                canvas, item, CARD_MARGIN + col * card_w, height - CARD_MARGIN - (row + 1) * card_h, card_w, card_h
            )
        canvas.showPage()

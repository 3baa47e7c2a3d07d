"""Flyer PDFs: a poster page (headline, pitch, a large QR code, the address in text, the
safety line) and pages of tear-off cards, each with its own single-use invite code.

QR codes (core/qrprint.py: error correction M or better, drawn as vectors): 7 cm on the poster,
3.6 cm on a card (the quiet zone around them comes on top)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer

from concerted.core import markdown
from concerted.core.paper import page_size
from concerted.core.pdf import escape, fonts
from concerted.core.qrprint import card_sheets, draw_qr, make_qr, mono_fonts, quiet, short_address
from concerted.invites.codes import display

from .targets import Flyer

POSTER_QR = 7 * cm
CARD_QR = 3.6 * cm


class QRFlowable(Flowable):
    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.qr = make_qr(data)
        self.size = size
        self.margin = quiet(size, self.qr)
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        side = self.size + 2 * self.margin
        return side, side

    def draw(self) -> None:
        draw_qr(self.canv, self.qr, self.margin, self.margin, self.size)


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    mono, mono_bold = mono_fonts()
    return {
        "committee": ParagraphStyle("committee", fontName=regular, fontSize=12, leading=15, textColor="#333333"),
        "headline": ParagraphStyle("headline", fontName=bold, fontSize=30, leading=35, spaceBefore=6, spaceAfter=10),
        "pitch": ParagraphStyle("pitch", fontName=regular, fontSize=13, leading=18),
        "url": ParagraphStyle("url", fontName=mono_bold, fontSize=16, leading=20, alignment=TA_CENTER, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=regular, fontSize=12, leading=15, alignment=TA_CENTER),
        "safety": ParagraphStyle(
            "safety",
            fontName=bold,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            borderColor=colors.black,
            borderWidth=1.5,
            borderPadding=8,
            spaceBefore=18,
            spaceAfter=10,
        ),
        "safety_small": ParagraphStyle("safety_small", fontName=regular, fontSize=10, leading=13, alignment=TA_CENTER),
        "card_head": ParagraphStyle("card_head", fontName=bold, fontSize=10, leading=12, spaceAfter=3),
        "card_text": ParagraphStyle("card_text", fontName=regular, fontSize=7.5, leading=9.5, spaceAfter=3),
        "card_safety": ParagraphStyle("card_safety", fontName=bold, fontSize=7.5, leading=9.5, spaceAfter=3),
        "card_url": ParagraphStyle("card_url", fontName=mono, fontSize=7, leading=9, wordWrap="CJK", spaceAfter=3),
        "card_code": ParagraphStyle("card_code", fontName=mono_bold, fontSize=11, leading=14),
    }


def safety_line() -> str:
    return _("Use your personal phone, not a work device or work Wi-Fi.")


# Above this many characters the poster's text shrinks below easy reading on Letter or A4
# beside the 7 cm QR code; the flyer page says so (the whole text is still printed).
LONG_PITCH = 1200


def _poster(canvas: Canvas, flyer: Flyer, pagesize: tuple[float, float]) -> None:
    st = _styles()
    width, height = pagesize
    margin = 1.8 * cm
    inner = width - 2 * margin
    top = [
        Paragraph(escape(flyer.campaign.committee_name), st["committee"]),
        Paragraph(escape(flyer.headline), st["headline"]),
    ]
    # The whole ask, formatted: a flyer that prints only the first paragraph loses the demand.
    top += markdown.to_flowables(flyer.pitch, st["pitch"])
    lower: list[Any] = [
        Spacer(1, 0.4 * cm),
        QRFlowable(flyer.public_url, POSTER_QR),
        Paragraph(escape(short_address(flyer.public_url)), st["url"]),
        Spacer(1, 0.3 * cm),
    ]
    if flyer.requires_invite:
        lower.append(
            Paragraph(
                escape(_("To join you need a single-use invite code from the committee. Ask someone you trust.")),
                st["note"],
            )
        )
    lower += [
        Paragraph(escape(safety_line()), st["safety"]),
        Spacer(1, 0.25 * cm),
        Paragraph(
            escape(
                flyer.privacy
                or _("Your name is sealed: only the organizing committee can open it, on their own computer.")
            ),
            st["safety_small"],
        ),
    ]
    lower_height = sum(f.wrap(inner, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in lower) + 0.6 * cm
    top_max = height - 2 * margin - lower_height
    head = KeepInFrame(inner, top_max, top, mode="shrink")
    _w, top_height = head.wrapOn(canvas, inner, top_max)
    # Short texts leave room: put half of it above the QR code so the page doesn't end halfway.
    gap = Spacer(1, max(0.0, (top_max - top_height) / 2))
    frame = Frame(
        margin, margin, inner, height - 2 * margin, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )
    frame.addFromList([head, gap, *lower], canvas)


def _cards(canvas: Canvas, flyer: Flyer, codes: Sequence[str], pagesize: tuple[float, float]) -> None:
    st = _styles()

    def card(canvas: Canvas, code: str, x0: float, y0: float, card_w: float, card_h: float) -> None:
        qr = make_qr(flyer.invite_url(code))
        # At least the quiet zone on each side, and a little more, so the cut line
        # and the text never crowd the symbol.
        pad = max(quiet(CARD_QR, qr), 0.5 * cm)
        qr_y = y0 + (card_h - CARD_QR) / 2
        draw_qr(canvas, qr, x0 + pad, qr_y, CARD_QR)
        text_x = x0 + pad + CARD_QR + max(pad, 0.6 * cm)
        text_w = card_w - (text_x - x0) - 0.3 * cm
        story = [
            Paragraph(escape(flyer.headline), st["card_head"]),
            Paragraph(escape(safety_line()), st["card_safety"]),
            Paragraph(escape(_("Or type this address:")), st["card_text"]),
            Paragraph(escape(short_address(flyer.public_url)), st["card_url"]),
            Paragraph(escape(_("Your invite code (works once):")), st["card_text"]),
            Paragraph(escape(display(code)), st["card_code"]),
        ]
        text_h = card_h - 0.6 * cm
        frame = Frame(
            text_x, y0 + 0.3 * cm, text_w, text_h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
        )
        frame.addFromList([KeepInFrame(text_w, text_h, story, mode="shrink")], canvas)

    card_sheets(canvas, pagesize, codes, card)


class _TestCanvas(Canvas):
    """Stamps every page TEST: its QR code leads to an address coworkers can't reach."""

    def showPage(self) -> None:
        width, height = self._pagesize
        _regular, bold = fonts()
        self.saveState()
        self.setFillColor(colors.Color(0.6, 0.1, 0.1, alpha=0.35))
        self.setFont(bold, 150)
        self.translate(width / 2, height / 2)
        self.rotate(35)
        # Translators: the big stamp across every page of a test print; keep it one short word.
        self.drawCentredString(0, -50, pgettext("stamp on a test print", "TEST"))
        self.restoreState()
        self.saveState()
        self.setFillColor(colors.Color(0.6, 0.1, 0.1))
        self.setFont(bold, 11)
        self.drawCentredString(
            width / 2, height - 0.6 * cm, _("TEST PRINT — this address only works on this computer or network.")
        )
        self.restoreState()
        super().showPage()


def build(
    flyer: Flyer, paper: str | None = None, codes: Sequence[str] = (), poster: bool = True, test: bool = False
) -> bytes:
    """The flyer as a PDF on `paper` ("a4", "letter"; default: the installation's paper,
    core/paper.py): the poster page (unless poster=False), then tear-off cards
    for `codes`, if any. `test` stamps every page TEST (see core/public.py). In the
    campaign's language, whatever language the organizer's pages are in."""
    with translation.override(flyer.campaign.language):
        return _build(flyer, paper, codes, poster, test)


def _build(flyer: Flyer, paper: str | None, codes: Sequence[str], poster: bool, test: bool) -> bytes:
    pagesize = page_size(paper)
    out = io.BytesIO()
    canvas = (_TestCanvas if test else Canvas)(out, pagesize=pagesize, pageCompression=1, invariant=1)
    canvas.setTitle(flyer.headline)
    canvas.setAuthor(flyer.campaign.committee_name)
    canvas.setCreator("Concerted")
    if poster or not codes:
        _poster(canvas, flyer, pagesize)
        canvas.showPage()
    if codes:
        _cards(canvas, flyer, codes, pagesize)
    canvas.save()
    return out.getvalue()

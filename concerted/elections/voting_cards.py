"""Voting cards: the private voting codes `concerted election credentials` makes, one to a
card, for the committee to print on its own computer, cut out and hand out in person.

A card says what a member must know: the code is secret (whoever holds it can vote in
the member's name), and the committee keeps no list of who got which card. With the vote
page's address it also prints that address and its QR code. The QR code never holds the
voting code: the member types the code on the page, so a photo of the QR code votes
nothing, and no code ends up in an address that a browser history or a server log keeps.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer

from concerted.core.paper import page_size
from concerted.core.pdf import escape, fonts
from concerted.core.public import public_url
from concerted.core.qrprint import card_sheets, draw_qr, make_qr, mono_fonts, quiet, short_address
from concerted.elections import evcrypto as ev

if TYPE_CHECKING:
    from concerted.elections.models import Election

FILE_NAME = "voting-cards.pdf"
CARD_QR = 2.8 * cm  # the address is short (no code in it), so the symbol has few modules
PAD = 0.5 * cm  # between the cut line and what is printed: a crooked cut spares the text
CODE_POINTS = 15  # the code's size when the card is wide enough; a 1 mm glyph is easy to misread
TITLE_HEIGHT = 26  # points: a long title shrinks into two lines instead of pushing the code off the card


def public_vote_url(election: Election) -> str:
    """The public address of the election's vote page, in the language its text is
    written in (/es/e/<slug>/), as the dashboard shows it and a card prints it."""
    with translation.override(election.content_language):
        return public_url(reverse("elections:vote", args=[election.slug]))


def checked_vote_url(url: str) -> str:
    """The vote page's address as it goes on every card, or ValueError saying what is
    wrong with it. An address with ?… or #… is refused: a card's QR code leads to the
    page and nothing else (never a code, never a tracking parameter)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in url):
        raise ValueError(
            _(
                "--vote-url must be the vote page's whole address, starting with https:// (or http://), "
                "as the election's page shows it, e.g. https://vote.example.org/es/e/n2a3245/."
            )
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(
            _(
                "--vote-url must be the vote page's address without a “?” or “#” part: the QR code on the card "
                "leads to the page only, and the voting code is typed there."
            )
        )
    return url


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    _mono, mono_bold = mono_fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=10, leading=12.5, spaceAfter=3),
        "head": ParagraphStyle("head", fontName=bold, fontSize=9, leading=11, spaceAfter=2),
        "code": ParagraphStyle("code", fontName=mono_bold, fontSize=CODE_POINTS, leading=CODE_POINTS * 1.25),
        "secret": ParagraphStyle("secret", fontName=bold, fontSize=7.5, leading=9.5, spaceBefore=2),
        "text": ParagraphStyle("text", fontName=regular, fontSize=7.5, leading=9.5, spaceAfter=2),
        "url": ParagraphStyle("url", fontName=mono_bold, fontSize=8, leading=10, wordWrap="CJK", spaceAfter=4),
    }


def _code_style(code: str, width: float) -> ParagraphStyle:
    """The code on one line, as large as the card allows up to CODE_POINTS: a code broken
    across lines is easy to type wrongly."""
    base = _styles()["code"]
    points = min(CODE_POINTS, width / stringWidth(code, base.fontName, 1))
    return ParagraphStyle("code-fit", parent=base, fontSize=points, leading=points * 1.25)


def _fill(canvas: Canvas, box: tuple[float, float, float, float], story: list[Flowable]) -> None:
    """Draw the story in the box (x, y, width, height), shrunk if it would not fit: a
    long title or a long translation never runs over the QR code or the cut line."""
    x, y, width, height = box
    frame = Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList([KeepInFrame(width, height, story, mode="shrink")], canvas)


def build(codes: Sequence[str], *, paper: str | None = None, title: str = "", vote_url: str = "") -> bytes:
    """The cards as a PDF on `paper` ("a4", "letter"; default: the installation's paper,
    core/paper.py), in the active language (the tool's: the terminal's or --language).
    `vote_url` must have passed checked_vote_url(); "" prints cards without an address."""
    st = _styles()
    pagesize = page_size(paper)
    qr = make_qr(vote_url) if vote_url else None
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1, invariant=1)
    canvas.setTitle(title or _("Voting cards"))
    canvas.setCreator("Concerted")
    qr_drawn = False

    def card(canvas: Canvas, code: str, x0: float, y0: float, card_w: float, card_h: float) -> None:
        nonlocal qr_drawn
        code = ev.normalize_code(code)  # grouped as everywhere else: ABCDE-FGHJK-LMNPQ-RSTUV
        inner_w = card_w - 2 * PAD
        no_list = Paragraph(escape(_("The committee keeps no list of who got which card.")), st["text"])
        top: list[Flowable] = []
        if title:
            top.append(KeepInFrame(inner_w, TITLE_HEIGHT, [Paragraph(escape(title), st["title"])], mode="shrink"))
        top += [
            Paragraph(escape(_("Your voting code")), st["head"]),
            Paragraph(escape(code), _code_style(code, inner_w)),
            Paragraph(escape(_("Keep it secret: whoever holds it can vote in your name.")), st["secret"]),
        ]
        top_y = y0 + PAD
        if qr is not None:
            # The quiet zone, at least, between the symbol and the cut line or the text.
            qpad = max(quiet(CARD_QR, qr), PAD)
            # The same symbol on every card: drawn once, placed on each (a PDF of 1,000 cards
            # stays small and quick to print).
            if not qr_drawn:
                canvas.beginForm("vote-qr")
                draw_qr(canvas, qr, 0, 0, CARD_QR)
                canvas.endForm()
                qr_drawn = True
            canvas.saveState()
            canvas.translate(x0 + qpad, y0 + qpad)
            canvas.doForm("vote-qr")
            canvas.restoreState()
            text_x = x0 + qpad + CARD_QR + qpad
            band_top = y0 + qpad + CARD_QR
            _fill(
                canvas,
                (text_x, y0 + 0.3 * cm, x0 + card_w - PAD - text_x, band_top - (y0 + 0.3 * cm)),
                [
                    Paragraph(escape(_("Vote at:")), st["text"]),
                    Paragraph(escape(short_address(vote_url)), st["url"]),
                    no_list,
                ],
            )
            top_y = band_top + 0.2 * cm
        else:
            top += [Spacer(1, 0.3 * cm), no_list]
        _fill(canvas, (x0 + PAD, top_y, inner_w, y0 + card_h - 0.4 * cm - top_y), top)

    card_sheets(canvas, pagesize, codes, card)
    canvas.save()
    return out.getvalue()

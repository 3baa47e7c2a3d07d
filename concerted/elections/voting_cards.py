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
import re
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
URL_POINTS = 8  # the typed address's size when the card is wide enough
URL_MIN_POINTS = 7  # smaller, and a member misreads the address they must type
# Where an address too long for one line may break: after its scheme's "://" and after
# each "/" ("http://", "127.0.0.1:8715/", "en/", "e/", "hnhpv22/").
_URL_PIECES = re.compile(r"^[a-z][a-z0-9+.-]*://|[^/]*/|[^/]+$")


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
        # Lines broken only where _url_paragraph says (splitLongWords off): never inside a
        # path segment, where a member would type the two halves as two words.
        "url": ParagraphStyle(
            "url", fontName=mono_bold, fontSize=URL_POINTS, leading=URL_POINTS * 1.25, splitLongWords=0, spaceAfter=4
        ),
    }


def _code_style(code: str, width: float) -> ParagraphStyle:
    """The code on one line, as large as the card allows up to CODE_POINTS: a code broken
    across lines is easy to type wrongly."""
    base = _styles()["code"]
    points = min(CODE_POINTS, width / stringWidth(code, base.fontName, 1))
    return ParagraphStyle("code-fit", parent=base, fontSize=points, leading=points * 1.25)


def _url_paragraph(address: str, width: float) -> Paragraph:
    """The address to type, on one line whenever URL_MIN_POINTS allows: shrunk to the
    text's width from URL_POINTS, and only below that broken after a "/", so that no line
    ends inside a path segment ("…/e/hnhpv" and "22/" read as two addresses)."""
    base = _styles()["url"]

    def points_for(lines: list[str]) -> float:
        return min(URL_POINTS, width / max(stringWidth(line, base.fontName, 1) for line in lines))

    lines = [address]
    if points_for(lines) < URL_MIN_POINTS:
        # Greedy, at URL_MIN_POINTS: each line as many whole segments (with their "/") as fit.
        lines = [""]
        for segment in _URL_PIECES.findall(address):
            if lines[-1] and stringWidth(lines[-1] + segment, base.fontName, URL_MIN_POINTS) > width:
                lines.append("")
            lines[-1] += segment
        lines = [line for line in lines if line]
    # A segment wider than the text at URL_MIN_POINTS (a very long host name) is printed
    # smaller still rather than cut.
    points = points_for(lines)
    style = ParagraphStyle("url-fit", parent=base, fontSize=points, leading=points * 1.25)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


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
            # The quiet zone, at least, between the symbol and the cut line; between the
            # symbol and the text the quiet zone alone, which leaves the address the width
            # to stay on one line (_url_paragraph).
            qpad = max(quiet(CARD_QR, qr), PAD)
            gap = max(quiet(CARD_QR, qr), 0.3 * cm)
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
            text_x = x0 + qpad + CARD_QR + gap
            band_top = y0 + qpad + CARD_QR
            _fill(
                canvas,
                (text_x, y0 + 0.3 * cm, x0 + card_w - PAD - text_x, band_top - (y0 + 0.3 * cm)),
                [
                    Paragraph(escape(_("Vote at:")), st["text"]),
                    _url_paragraph(short_address(vote_url), x0 + card_w - PAD - text_x),
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

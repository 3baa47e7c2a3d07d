"""Forced colors (Windows high contrast) and the date field's focus, in Debian's chromium.

Forced colors drop every background an author draws and paint text and borders in the
user's system colors: a filled button with no border lost its edge, and the progress
bar drawn with backgrounds showed 37% as an empty box. The stylesheet is read as the
site serves it."""

from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RING = (0x9A, 0x52, 0x00)  # the site's focus ring, #9a5200


def styled(page, body: str) -> None:  # type: ignore[no-untyped-def]
    page.set_content(
        f'<!doctype html><html lang="en"><head><link rel="stylesheet" href="{page.live_url}/static/css/concerted.css">'
        f"</head><body><main>{body}</main></body></html>"
    )
    page.wait_for_load_state("load")


def pixels(page, selector: str, pad: int = 0):  # type: ignore[no-untyped-def]
    from PIL import Image

    box = page.locator(selector).bounding_box()
    clip = {
        "x": box["x"] - pad,
        "y": box["y"] - pad,
        "width": box["width"] + 2 * pad,
        "height": box["height"] + 2 * pad,
    }
    return Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")


def test_it_gives_a_filled_button_an_edge_forced_colors_paint(phone_page):
    styled(
        phone_page, '<button id="filled">Sign the petition</button> <button id="other" class="secondary">Back</button>'
    )
    size = phone_page.evaluate("() => document.getElementById('filled').getBoundingClientRect().height")
    phone_page.emulate_media(forced_colors="active", color_scheme="dark")
    edge = phone_page.evaluate("() => getComputedStyle(document.getElementById('filled')).borderTopWidth")
    assert edge != "0px", "a filled button has no border for forced colors to paint"
    image = pixels(phone_page, "#filled")
    inside = image.getpixel((image.width // 2, image.height - 8))
    border = image.getpixel((image.width // 2, image.height - 1))
    assert border != inside, f"the button's edge {border} is the colour of its inside {inside}"
    phone_page.emulate_media(forced_colors="none")
    # Out of forced colors nothing moved: the same 44-px-plus height as before the border.
    assert phone_page.evaluate("() => document.getElementById('filled').getBoundingClientRect().height") == size
    assert size >= 44


def test_it_draws_the_progress_bar_in_forced_colors(phone_page):
    styled(phone_page, '<progress id="bar" max="100" value="37" aria-label="Progress">37%</progress>')
    phone_page.emulate_media(forced_colors="active", color_scheme="dark")
    image = pixels(phone_page, "#bar")
    middle = image.height // 2
    filled = image.getpixel((int(image.width * 0.15), middle))
    empty = image.getpixel((int(image.width * 0.8), middle))
    assert filled != empty, f"37% reads as an empty box: {filled} either side of the value"


def test_it_rings_the_date_field_when_its_calendar_button_has_the_focus(phone_page):
    styled(
        phone_page,
        '<label for="day">Day</label><input type="date" id="day"><label for="next">Next</label><input id="next">',
    )
    phone_page.focus("#next")
    phone_page.keyboard.press("Shift+Tab")  # back into the date field: its calendar button
    assert phone_page.evaluate("() => document.activeElement.id") == "day"
    image = pixels(phone_page, "#day", pad=6)
    ring = sum(1 for x in range(image.width) if image.getpixel((x, 1)) == RING)
    assert ring > image.width // 2, "the focused calendar button shows no 3-px ring around its field"

"""A refused form comes back showing what to fix: on a 360-px phone with JavaScript off,
the error summary is on the first screen and has the focus (an outside walk found it
1,000 px down, under the petition text, on a page that looked unchanged)."""

from __future__ import annotations

import pytest

from concerted.petitions.models import Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_signature_comes_back_scrolled_to_what_needs_fixing(browser, live_server, petition):
    petition.body = "\n\n".join(["A long demand, as petitions have, that fills more than a phone's screen."] * 12)
    petition.save()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/p/{petition.slug}/")
        page.get_by_label("Your name").fill("Wilhelmina Browsertest")
        page.get_by_label("Personal email or phone (optional)").fill("me@acme.com")
        page.get_by_role("button", name="Sign the petition").click()
        summary = page.locator(".error-box").first
        summary.wait_for()
        box = summary.bounding_box()
        assert box is not None and 0 <= box["y"] < 740 - 40, f"the error summary is at y={box}"
        assert page.evaluate("() => document.activeElement.classList.contains('error-box')")
        assert page.get_by_label("Your name").input_value() == "Wilhelmina Browsertest"
        assert not Signature.objects.exists()
    finally:
        context.close()

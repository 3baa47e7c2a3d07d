"""Journey 1: a coworker signs from a phone, JavaScript off, nothing leaves the server."""

from __future__ import annotations

import re

import pytest

from concerted.petitions.models import Signature

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_the_petition_on_a_phone_without_javascript(phone_page, petition):
    page = phone_page
    page.goto(f"{page.live_url}/p/{petition.slug}/")
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    assert_fits_phone(page)
    page.get_by_label("Your name").fill("Wilhelmina Browsertest")
    page.get_by_label("Personal email or phone (optional)").fill("me@acme.com")
    page.get_by_role("button", name="Sign the petition").click()
    assert page.get_by_text("your employer").first.is_visible()
    assert page.get_by_label("Your name").input_value() == "Wilhelmina Browsertest"
    page.get_by_label("Personal email or phone (optional)").fill("wilhelmina@example.org")
    page.get_by_label("Your team (optional)").select_option(label="Support")
    page.get_by_label("You may show my name on the petition when it is delivered.").check()
    page.get_by_role("button", name="Sign the petition").click()
    assert page.get_by_role("heading", name="You signed. Thank you.").is_visible()
    code = page.locator(".receipt-code code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", code)
    assert_fits_phone(page)
    assert Signature.objects.filter(petition=petition).count() == 1
    page.get_by_role("button", name="Withdraw my signature").click()
    assert page.get_by_text("This can't be undone.").is_visible()
    assert Signature.objects.filter(petition=petition).count() == 1
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    assert page.get_by_role("heading", name="Your signature was withdrawn").is_visible()
    assert Signature.objects.filter(petition=petition).count() == 0
    assert_stayed_local(page)
    assert not [c for c in page.context.cookies() if c["name"] != "csrftoken"], "only the CSRF cookie is allowed"
    csrf = [c for c in page.context.cookies() if c["name"] == "csrftoken"]
    assert all(c["expires"] == -1 for c in csrf), "the CSRF cookie must end with the browser session"

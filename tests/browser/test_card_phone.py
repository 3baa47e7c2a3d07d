"""A coworker signs a union card on a phone, JavaScript off, nothing leaves the server."""

from __future__ import annotations

import re

import pytest

from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit, Card
from concerted.core.sealing import open_sealed

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def unit(campaign):
    return BargainingUnit.objects.create(
        campaign=campaign,
        name="Acme support agents",
        employer="Acme Corp.",
        union="Acme Workers United",
        size=40,
        card_text=DEFAULT_CARD_TEXT,
        card_segment_kind="team",
        status=BargainingUnit.Status.OPEN,
    )


def test_it_signs_a_union_card_on_a_phone_without_javascript(phone_page, unit, private_key):
    page = phone_page
    page.goto(f"{page.live_url}/c/{unit.slug}/")
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    card_text = page.locator("#card-text")
    assert card_text.is_visible()
    assert card_text.inner_text() == unit.rendered_card_text()
    assert_fits_phone(page)
    page.get_by_label("Full legal name").fill("Þórdís Ñúñez")
    assert page.get_by_label("Employer").input_value() == "Acme Corp."
    page.get_by_label("Job title or classification").fill("Support agent II")
    page.get_by_label("Personal phone number").fill("+49 151 2345 6789")
    page.get_by_label("Personal email (optional)").fill("thordis@acme.com")
    page.get_by_label("Type your full name as your signature").fill("Someone Else")
    page.get_by_role("button", name="Sign my union card").click()
    # Every problem is explained at once and nothing typed is lost.
    assert page.get_by_text("your employer").first.is_visible()
    assert page.get_by_text("Tick this box to sign").is_visible()
    assert page.get_by_text("Your signature must be your own name").is_visible()
    assert page.get_by_label("Full legal name").input_value() == "Þórdís Ñúñez"
    assert_fits_phone(page)
    assert not Card.objects.exists()
    page.get_by_label("Personal email (optional)").fill("thordis@example.org")
    page.get_by_label("Your department (optional)").select_option(label="Support")
    page.get_by_label("I have read the card above and I sign it.", exact=False).check()
    page.get_by_label("Type your full name as your signature").fill("thordis nunez")
    page.get_by_role("button", name="Sign my union card").click()
    assert page.get_by_role("heading", name="Your card is signed. Thank you.").is_visible()
    code = page.locator(".receipt-code code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", code)
    assert_fits_phone(page)
    card = Card.objects.get(unit=unit)
    data = open_sealed(private_key, card.sealed, kind="cards.card", ids=card.envelope_ids())
    assert data["full_name"] == "Þórdís Ñúñez"
    assert data["typed_signature"] == "thordis nunez"
    assert data["consent"] is True
    assert data["card_text"] == unit.rendered_card_text()
    assert card.segment.label == "Support"
    page.get_by_role("button", name="Revoke my card").click()
    page.get_by_role("button", name="Yes, revoke my card").click()
    assert page.get_by_role("heading", name="Your card was revoked").is_visible()
    assert not Card.objects.exists()
    assert_stayed_local(page)
    assert not [c for c in page.context.cookies() if c["name"] != "csrftoken"], "only the CSRF cookie is allowed"

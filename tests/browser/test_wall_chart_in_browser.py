"""The named wall chart opens in the organizer's browser: roster names, one-on-one
notes and signed cards decrypted in memory by libsodium served by the app itself."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from concerted.cards import signing
from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
from concerted.core import keys

from .conftest import assert_stayed_local
from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_decrypts_the_named_wall_chart_in_the_browser(desktop_page, campaign, owner, private_key):
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Support", employer="Acme", union="AWU", size=3, card_text=DEFAULT_CARD_TEXT
    )
    support = campaign.segments.get(label="Support")
    dorothy = signing.add_person(
        unit, {"name": "Dorothy Vaughan", "contact": "+1 555 0101 222", "department": support, "assessment": 1}
    )
    signing.add_person(unit, {"name": "Mary <b>Jackson</b>", "contact": "", "assessment": 4})
    signing.add_note(
        dorothy,
        {
            "day": datetime.date(2026, 1, 5),
            "who": "Rosa",
            "note": "Wants schedule bargaining.",
            "next_step": "Committee",
        },
    )
    card = {"full_name": "Dorothy Vaughan", "employer": "Acme", "job_classification": "Agent", "consent": True}
    signing.sign_card(unit, {**card, "phone": "+1 (555) 0101-222", "signature": "Dorothy Vaughan"})
    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent: list[str] = []
    page.on("request", lambda r: sent.append((r.post_data or "") + " ".join(r.headers.values()) + r.url))
    login(page, owner)
    page.goto(f"{page.live_url}/o/units/{unit.pk}/wall-chart/named/")
    secret = keys.format_private(private_key)
    page.fill("#keytext", secret)
    page.get_by_role("button", name="Open the wall chart").click()
    expect(page.locator("#reveal-status")).to_have_text("Opened 2 people, 1 notes and 1 cards.", timeout=15000)
    row = page.get_by_role("row").filter(has_text="Dorothy Vaughan")
    assert "1 · Leader" in row.inner_text()
    assert "signed" in row.inner_text()
    assert "Wants schedule bargaining." in row.inner_text()
    assert page.get_by_role("cell", name="Mary <b>Jackson</b>").is_visible()  # text, never markup
    assert "Department: Support — 1 people, 1 cards" in page.locator("#chart").inner_text()
    assert not errors, errors
    assert not any(secret.split(":")[1] in s for s in sent), "the private key left the page"
    assert_stayed_local(page)

"""The wall chart's 11-column tables scroll in a labelled region a keyboard can reach,
as the server-drawn tables do (.table-wrap): scrolled by the section, the later columns
were out of a keyboard's reach outside chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concerted.cards import signing
from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
from concerted.core import keys

from .test_roster_in_browser import open_with_key
from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_wraps_each_group_table_in_a_labelled_focusable_region(browser, live_server, campaign, owner, private_key):
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Support", employer="Acme", union="AWU", size=3, card_text=DEFAULT_CARD_TEXT
    )
    signing.add_person(unit, {"name": "Dorothy Vaughan", "contact": "", "department": "Data", "assessment": 3})
    signing.add_person(unit, {"name": "Katherine Johnson", "contact": "", "assessment": 1})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.live_url = live_server.url
    login(page, owner)
    page.goto(f"{page.live_url}/o/units/{unit.pk}/wall-chart/")
    open_with_key(page, "Open the wall chart", keys.format_private(private_key))
    headings = page.locator("#chart section.chart-group h2")
    expect(headings).to_have_count(2, timeout=15000)
    for i in range(2):
        section = page.locator("#chart section.chart-group").nth(i)
        region = section.get_by_role("region", name=headings.nth(i).inner_text(), exact=True)
        expect(region).to_have_attribute("tabindex", "0")
        expect(region.locator("table")).to_have_count(1)
    # The region, not the section, scrolls; a keyboard on the focused region reaches the last column.
    region = page.locator("#chart .table-wrap").first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the table fits: nothing to scroll"
    region.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("r => r.scrollLeft") > 0
    context.close()

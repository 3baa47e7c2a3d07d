"""The roster opens in the organizer's browser: the wall chart and a person's record
are built from sealed records by libsodium served by the app itself; the organizer
selects people by assessment, opens one from the chart and logs a one-on-one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concerted.cards import signing
from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
from concerted.core import keys
from concerted.core.days import today

from .conftest import assert_stayed_local
from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # htmx (every organizer page) tries to add its indicator <style>, which the CSP blocks: harmless, not ours.
    page.on(
        "console",
        lambda m: errors.append(m.text)
        if m.type == "error" and "htmx" not in m.location.get("url", "") and "Failed to load" not in m.text
        else None,
    )
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def open_with_key(page, button: str, secret: str) -> None:
    # The button's handler is attached by the scripts at the end of the page: after a
    # form post, the flash message shows before they have run (seen once on a loaded CI
    # machine, where a click that came first did nothing).
    page.wait_for_load_state("load")
    page.fill("#keytext", secret)
    page.get_by_role("button", name=button).click()


def test_it_opens_the_roster_selects_by_assessment_and_logs_a_one_on_one(desktop_page, campaign, owner, private_key):
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Support", employer="Acme", union="AWU", size=3, card_text=DEFAULT_CARD_TEXT
    )
    dorothy = signing.add_person(
        unit, {"name": "Dorothy Vaughan", "contact": "+1 555 0101 222", "department": "Support", "assessment": 3}
    )
    signing.add_person(unit, {"name": "Mary <b>Jackson</b>", "contact": "", "department": "Data", "assessment": 4})
    signing.add_person(unit, {"name": "Katherine Johnson", "contact": "", "department": "Support", "assessment": 4})
    signing.add_note(
        dorothy,
        {"day": today(), "who": "Rosa", "note": "Wants schedule bargaining.", "assessment": 1},  # after her 3
    )
    card = {"full_name": "Dorothy Vaughan", "employer": "Acme", "job_classification": "Agent", "consent": True}
    signing.sign_card(unit, {**card, "phone": "+1 (555) 0101-222", "signature": "Dorothy Vaughan"})
    page = desktop_page
    errors = watch_errors(page)
    sent: list[str] = []
    page.on("request", lambda r: sent.append((r.post_data or "") + " ".join(r.headers.values()) + r.url))
    login(page, owner)
    secret = keys.format_private(private_key)

    page.goto(f"{page.live_url}/o/units/{unit.pk}/wall-chart/")
    open_with_key(page, "Open the wall chart", secret)
    expect(page.locator("#reveal-status")).to_have_text("Opened 3 people, 1 log entry and 1 card.", timeout=15000)
    row = page.get_by_role("row").filter(has_text="Dorothy Vaughan")
    assert "1 · Leader" in row.inner_text() and today().isoformat() in row.inner_text()
    assert "signed" in row.inner_text()
    assert "Wants schedule bargaining." in row.inner_text()
    assert page.get_by_role("link", name="Mary <b>Jackson</b>").is_visible()  # text, never markup
    assert "Department: Support — 2 people, 1 card" in page.locator("#chart").inner_text()
    assert "Department: Data — 1 person, 0 cards" in page.locator("#chart").inner_text()

    page.select_option("#assessment-filter", "4")
    expect(page.locator("#chart")).to_contain_text("2 of 3 people shown.")
    assert page.get_by_role("row").filter(has_text="Dorothy Vaughan").count() == 0
    assert page.get_by_role("row").filter(has_text="Katherine Johnson").count() == 1
    page.select_option("#assessment-filter", "1")
    expect(page.locator("#chart")).to_contain_text("1 of 3 people shown.")

    page.get_by_role("link", name="Dorothy Vaughan").click()
    expect(page).to_have_url(f"{page.live_url}/en/o/roster/{dorothy.pk}/")
    open_with_key(page, "Open this person's record", secret)
    expect(page.locator("#record")).to_contain_text("Dorothy Vaughan", timeout=15000)
    page.fill("#id_who", "Amara")
    page.fill("#id_note", "Will bring two coworkers to the meeting.")
    page.fill("#id_next_step", "Committee invite")
    page.select_option("#id_assessment", "2")
    page.get_by_role("button", name="Save the one-on-one").click()
    expect(page.get_by_text("One-on-one saved.")).to_be_visible()

    open_with_key(page, "Open this person's record", secret)
    record = page.locator("#record")
    expect(record).to_contain_text("2 · Supporter", timeout=15000)
    expect(record).to_contain_text("Will bring two coworkers to the meeting.")
    expect(record).to_contain_text("Wants schedule bargaining.")  # the log, newest first
    assert not errors, errors
    assert not any(secret.split(":")[1] in s for s in sent), "the private key left the page"
    assert_stayed_local(page)


def test_it_counts_one_and_many_and_names_the_group_nobody_recorded(desktop_page, campaign, owner, private_key):
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Support", employer="Acme", union="AWU", size=3, card_text=DEFAULT_CARD_TEXT
    )
    signing.add_person(unit, {"name": "Dorothy Vaughan", "contact": "", "assessment": 3})  # no group at all
    page = desktop_page
    errors = watch_errors(page)
    login(page, owner)
    page.goto(f"{page.live_url}/o/units/{unit.pk}/wall-chart/")
    open_with_key(page, "Open the wall chart", keys.format_private(private_key))
    status = page.locator("#reveal-status")
    expect(status).to_have_text("Opened 1 person, 0 log entries and 0 cards.", timeout=15000)
    chart = page.locator("#chart")
    expect(chart).to_contain_text("1 of 1 person shown.")
    assert chart.locator("h2").all_inner_texts() == ["No department recorded — 1 person, 0 cards"]
    page.select_option("#groupby", "shift")
    expect(chart.locator("h2")).to_have_text("No shift recorded — 1 person, 0 cards")
    assert "— —" not in chart.inner_text()

    # Each count takes its own plural from the JavaScript catalog, so a language's
    # translations (and plural rule) apply to each: here a catalog with two forms.
    roster = "window.ConcertedRoster"
    assert page.evaluate(f"{roster}.openedSummary(2, 3, 4, 0, 0)") == "Opened 2 people, 3 log entries and 4 cards."
    assert page.evaluate(f"{roster}.openedSummary(1, 1, 1, 1, 1)") == (
        "Opened 1 person, 1 log entry and 1 card. 1 record could not be opened with this key or did not belong "
        "here. 1 duplicated or replayed record was counted once."
    )
    page.evaluate(
        """() => Object.assign(django.catalog, {
            "%(n)s person": ["%(n)s Person", "%(n)s Personen"],
            "%(n)s card": ["%(n)s Karte", "%(n)s Karten"],
            "%(heading)s — %(people)s, %(cards)s": "%(heading)s: %(people)s, %(cards)s",
        })"""
    )
    assert page.evaluate(f"{roster}.groupHeading('Abteilung', '', 'Keine Abteilung', 1, 2)") == (
        "Keine Abteilung: 1 Person, 2 Karten"
    )
    assert page.evaluate(f"{roster}.groupHeading('Abteilung', 'Data', 'Keine Abteilung', 3, 1)") == (
        "Abteilung: Data: 3 Personen, 1 Karte"
    )
    assert not errors, errors
    assert_stayed_local(page)

"""Journey 2: a coworker pledges from a phone, JavaScript off, nothing leaves the server;
the receipt follows the pledge from open to reached to active."""

from __future__ import annotations

import datetime
import re

import pytest

from concerted.core import releases
from concerted.core.days import today
from concerted.pledges.models import Commitment, Pledge

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_pledge(campaign):
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the new tracker on my work laptop.",
        threshold_percent=5,  # of a unit of 100: five people
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    return pledge


def test_it_pledges_on_a_phone_without_javascript(phone_pledge, phone_page):
    page = phone_page
    pledge = phone_pledge
    page.goto(f"{page.live_url}/k/{pledge.slug}/")
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    assert page.get_by_text("If we reach 5% of us (5 people) by").is_visible()
    # When figures next change is said plainly, and fits the phone.
    assert page.get_by_text("Next possible update:").is_visible()
    assert page.get_by_text("If we don't, every pledge is destroyed and nobody is exposed.").is_visible()
    assert_fits_phone(page)

    page.get_by_label("Your name").fill("Wilhelmina Pledgetest")
    page.get_by_label("Personal email for the go-ahead (optional)").fill("me@acme.com")
    page.get_by_role("button", name="Make my pledge").click()
    assert page.get_by_text("your employer").first.is_visible()
    assert page.get_by_label("Your name").input_value() == "Wilhelmina Pledgetest"
    assert_fits_phone(page)
    page.get_by_label("Personal email for the go-ahead (optional)").fill("wilhelmina@example.org")
    page.get_by_role("button", name="Make my pledge").click()

    assert page.get_by_role("heading", name="You pledged. Thank you.").is_visible()
    code = page.locator(".receipt-code code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", code)
    assert page.locator(".state-label strong").inner_text() == "Open"
    receipt_url = page.url.split("?")[0]
    assert_fits_phone(page)
    assert Commitment.objects.filter(pledge=pledge).count() == 1

    # Four more coworkers pledge: the threshold is reached, but it shows only at the
    # next release, and nothing goes out by itself.
    for n in range(4):
        other = page.context.new_page()
        other.goto(f"{page.live_url}/k/{pledge.slug}/")
        other.get_by_label("Your name").fill(f"Coworker {n}")
        other.get_by_role("button", name="Make my pledge").click()
        assert other.get_by_role("heading", name="You pledged. Thank you.").is_visible()
        other.close()
    page.goto(receipt_url)
    assert page.locator(".state-label strong").inner_text() == "Open"
    assert releases.force(pledge)
    page.goto(receipt_url)
    assert (
        page.locator(".state-label strong").inner_text()
        == "Enough submissions (may include repeats): the committee counts different people"
    )
    assert page.get_by_role("button", name="Withdraw my pledge").is_visible()

    assert pledge.confirm(pledge.count())
    page.goto(receipt_url)
    assert page.locator(".state-label strong").inner_text() == "Active: confirmed by the committee"
    assert page.get_by_role("button", name="Withdraw my pledge").count() == 0
    assert_fits_phone(page)

    assert_stayed_local(page)
    assert not [c for c in page.context.cookies() if c["name"] != "csrftoken"], "only the CSRF cookie is allowed"


def test_a_lapsed_pledge_reads_well_on_a_phone(phone_pledge, phone_page):
    page = phone_page
    page.goto(f"{page.live_url}/k/{phone_pledge.slug}/")
    page.get_by_label("Your name").fill("Soon Forgotten")
    page.get_by_role("button", name="Make my pledge").click()
    receipt_url = page.url.split("?")[0]
    Pledge.objects.filter(pk=phone_pledge.pk).update(deadline=today() - datetime.timedelta(days=1))
    page.goto(receipt_url)
    assert page.locator(".state-label strong").inner_text() == "Lapsed: every pledge destroyed"
    assert page.get_by_text("This pledge lapsed. Nobody was exposed.").is_visible()
    assert not Commitment.objects.exists()
    assert_fits_phone(page)
    assert_stayed_local(page)

"""A deadline is the organizer's date, read by coworkers as their own: "until the end of
18 December" ends at midnight in the installation's zone (CONCERTED_TIME_ZONE), not at
midnight UTC, which is 16:00 the same day in Los Angeles and 09:00 the next in Tokyo.
The day stored with a pledge stays the UTC day (core/days.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerted.core import days
from concerted.pledges.forms import PledgeSetupForm
from concerted.pledges.models import CONFIRM_GRACE_DAYS, Commitment, Pledge

from .conftest import pledge_post, setup_data, text

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 12, 18)


def utc(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture
def at(zone_and_clock) -> Callable[[str, datetime.datetime], None]:
    return zone_and_clock


@pytest.fixture
def pledged(make_pledge, add_pledges, at) -> Callable[[int], Pledge]:
    """pledged(n): open, "until the end of 18 December" (threshold 5), with n pledges
    made through the form on 10 December."""

    def make(n: int) -> Pledge:
        at("UTC", utc(10, 12))
        pledge = make_pledge(deadline=DEADLINE)
        add_pledges(pledge, n)
        return pledge

    return make


@pytest.fixture
def due(pledged) -> Pledge:
    return pledged(3)  # under the threshold: lapses once the deadline passes


def test_it_takes_pledges_until_local_midnight_in_los_angeles(due, at):
    at("America/Los_Angeles", utc(19, 0, 30))  # 16:30 on the 18th there; the UTC day is the 19th
    assert due.accepting() and not due.lapse_due()
    at("America/Los_Angeles", utc(19, 7, 59))  # 23:59 on the 18th
    assert due.accepting() and not due.lapse_due()
    at("America/Los_Angeles", utc(19, 8, 1))  # 00:01 on the 19th
    assert not due.accepting() and due.lapse_due()


def test_it_stops_at_local_midnight_in_tokyo(due, at):
    at("Asia/Tokyo", utc(18, 14, 59))  # 23:59 on the 18th there
    assert due.accepting()
    at("Asia/Tokyo", utc(18, 15, 1))  # 00:01 on the 19th; the UTC day is still the 18th
    assert not due.accepting() and due.lapse_due()


def test_a_pledge_in_los_angeles_in_the_evening_counts_and_keeps_the_utc_day(due, at):
    at("America/Los_Angeles", utc(19, 3))  # 19:00 on the 18th there
    response = pledge_post(due, name="Ana")
    assert response.status_code == 302, text(response)[:2000]
    assert due.commitments.count() == 4
    # The stored day is the UTC one: a zone change must never move a stored day.
    assert due.commitments.order_by("-day").first().day == datetime.date(2026, 12, 19) == days.today()
    # The receipt doesn't say the 19th beside "until the end of 18 December": the pledge
    # was made on the deadline day there.
    receipt = text(Client().get(response["Location"]))
    assert "You pledged on 18 December 2026." in receipt and "19 December" not in receipt


def test_a_pledge_after_tokyo_midnight_is_refused_with_a_clear_message(pledged, at):
    pledge = pledged(5)  # reached: still open, waiting for the committee, so not lapsed
    at("Asia/Tokyo", utc(18, 15, 30))  # 00:30 on the 19th there
    response = pledge_post(pledge, name="Ana")
    assert response.status_code == 400
    assert "This pledge no longer takes pledges: its deadline has passed or it has ended." in text(response)
    assert pledge.commitments.count() == 5


def test_tick_lapses_at_local_midnight_not_utc_midnight(due, at):
    at("America/Los_Angeles", utc(19, 1))  # 17:00 on the 18th there, after UTC midnight
    call_command("tick", verbosity=0)
    due.refresh_from_db()
    assert due.status == Pledge.Status.OPEN and due.commitments.count() == 3
    at("America/Los_Angeles", utc(19, 8, 5))  # 00:05 on the 19th there
    call_command("tick", verbosity=0)
    due.refresh_from_db()
    assert due.status == Pledge.Status.LAPSED and not Commitment.objects.filter(pledge=due).exists()
    assert due.lapsed_on == datetime.date(2026, 12, 19)  # a stamp: the UTC day


def test_the_grace_period_ends_at_local_midnight_too(pledged, at):
    pledge = pledged(5)  # reached: waits for the committee's confirmation
    last = DEADLINE + datetime.timedelta(days=CONFIRM_GRACE_DAYS)  # 25 December
    assert pledge.confirm_by() == last
    at("Asia/Tokyo", utc(25, 14, 59))  # 23:59 on the 25th there
    assert pledge.can_confirm() and not pledge.lapse_due()
    at("Asia/Tokyo", utc(25, 15, 1))  # 00:01 on the 26th there
    assert not pledge.can_confirm() and pledge.lapse_due()


def test_a_cached_page_turns_over_at_local_midnight(pledged, at):
    # Reached, so nothing about its row changes at the deadline (it waits for the
    # committee): only the day tells the cached page from the one to show.
    pledge = pledged(5)
    url = reverse("pledges:pledge", args=[pledge.slug])
    at("America/Los_Angeles", utc(19, 7, 55))  # 23:55 on the 18th: the page is cached
    html = text(Client().get(url))
    assert "Pledges count until the end of" in html and 'name="name"' in html
    # Past local midnight, still the same UTC day (the 19th): not the page cached before it.
    at("America/Los_Angeles", utc(19, 8, 1))
    html = text(Client().get(url))
    assert "has passed" in html and 'name="name"' not in html
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.OPEN


@pytest.mark.parametrize(
    ("zone", "moment", "typed", "error"),
    [
        # 18:00 on the 18th in Los Angeles, already the 19th in UTC: today is a fine deadline.
        ("America/Los_Angeles", utc(19, 2), "2026-12-18", False),
        # 00:30 on the 19th in Tokyo, still the 18th in UTC: the 18th is over there.
        ("Asia/Tokyo", utc(18, 15, 30), "2026-12-18", True),
        ("Asia/Tokyo", utc(18, 15, 30), "2026-12-19", False),
    ],
)
def test_the_organizer_types_a_deadline_in_the_installations_days(campaign, at, zone, moment, typed, error):
    at(zone, moment)
    form = PledgeSetupForm(setup_data(deadline=typed), instance=Pledge(campaign=campaign))
    assert form.is_valid() is not error, form.errors
    if error:
        assert form.errors["deadline"] == ["The deadline is in the past. Pick today or a later day."]


def test_the_deadline_field_names_the_zone_it_ends_in(campaign, at):
    at("America/Los_Angeles", utc(19, 2))
    form = PledgeSetupForm(instance=Pledge(campaign=campaign))
    assert "until midnight at its end, America/Los_Angeles time" in str(form["deadline"].help_text)


def test_the_pledge_page_says_whose_midnight_ends_it(due, at):
    page = reverse("pledges:pledge", args=[due.slug])
    at("America/Los_Angeles", utc(12, 20))
    assert "Pledges count until the end of 18 December 2026 (America/Los_Angeles time)." in text(Client().get(page))
    at("UTC", utc(12, 20))
    shown = text(Client().get(page))
    assert "Pledges count until the end of 18 December 2026." in shown and "UTC time" not in shown

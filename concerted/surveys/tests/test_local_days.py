"""A survey's opening and closing days are the organizer's dates: it opens at the midnight
that begins its opening day and closes at the one that ends its closing day, both in the
installation's zone (CONCERTED_TIME_ZONE), not at midnight UTC. The day stored with a
response stays the UTC day (core/days.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from concerted.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 12, 18)


def utc(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture
def at(zone_and_clock) -> Callable[[str, datetime.datetime], None]:
    return zone_and_clock


def answer_url(survey: Survey) -> str:
    return reverse("surveys:answer", args=[survey.slug])


def send(survey: Survey) -> object:
    yes_no = survey.ordered_questions()[2]
    return Client().post(answer_url(survey), {f"q{yes_no.pk}": "0"})


def test_it_takes_answers_until_local_midnight_in_los_angeles(published, at):
    published.closes_on = LAST_DAY
    published.save()
    at("America/Los_Angeles", utc(19, 3))  # 19:00 on the 18th there; the UTC day is the 19th
    assert published.accepting()
    assert send(published).status_code == 302
    assert Response.objects.get().day == datetime.date(2026, 12, 19)  # stored: the UTC day
    at("America/Los_Angeles", utc(19, 8, 1))  # 00:01 on the 19th there
    assert not published.accepting()
    html = send(published).content.decode()
    assert "This survey took its last answers on 18 December 2026 and no longer takes any." in html
    assert Response.objects.count() == 1


def test_it_closes_at_local_midnight_in_tokyo(published, at):
    published.closes_on = LAST_DAY
    published.save()
    at("Asia/Tokyo", utc(18, 14, 59))  # 23:59 on the 18th there
    assert published.accepting()
    at("Asia/Tokyo", utc(18, 15, 1))  # 00:01 on the 19th; the UTC day is still the 18th
    assert not published.accepting()
    assert send(published).status_code == 200 and not Response.objects.exists()


def test_it_opens_at_local_midnight(published, at):
    published.opens_on = datetime.date(2026, 12, 19)
    published.save()
    at("Asia/Tokyo", utc(18, 14, 59))  # 23:59 on the 18th there
    assert not published.accepting() and published.opens_later()
    assert "This survey opens on 19 December 2026." in Client().get(answer_url(published)).content.decode()
    at("Asia/Tokyo", utc(18, 15, 1))  # 00:01 on the 19th there, still the 18th in UTC
    assert published.accepting() and not published.opens_later()
    html = Client().get(answer_url(published)).content.decode()  # not the page cached a minute ago
    assert "Send my answers" in html and "This survey opens on" not in html
    assert send(published).status_code == 302


def test_a_survey_past_its_last_day_does_not_say_it_opens_later(published, at):
    published.opens_on, published.closes_on = datetime.date(2026, 12, 1), LAST_DAY
    published.save()
    at("Europe/Berlin", utc(20, 12))
    html = Client().get(answer_url(published)).content.decode()
    assert "This survey opens on" not in html
    assert "This survey took its last answers on 18 December 2026 and no longer takes any." in html


def test_a_cached_page_turns_over_at_local_midnight(published, at):
    published.closes_on = LAST_DAY
    published.save()
    at("America/Los_Angeles", utc(19, 7, 55))  # 23:55 on the 18th: the page is cached
    assert "Send my answers" in Client().get(answer_url(published)).content.decode()
    at("America/Los_Angeles", utc(19, 8, 1))  # 00:01 on the 19th there, the same UTC day
    html = Client().get(answer_url(published)).content.decode()
    assert "Send my answers" not in html and "no longer takes any" in html

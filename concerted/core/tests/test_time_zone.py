"""The installation's time zone (CONCERTED_TIME_ZONE, settings.TIME_ZONE): release times
are read in it ("08:00" is 08:00 there, summer and winter) and shown with its name, while
the day stored with a participant's action stays the UTC day, whatever it says."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerted.core import days, pagecache, releases
from concerted.core.templatetags.concerted_text import day_and_time
from concerted.petitions import signing
from concerted.petitions.models import Signature
from concerted.settings import env_time_zone

from .test_operator_mistakes import concerted

BERLIN = ZoneInfo("Europe/Berlin")
EIGHT = [datetime.time(8, 0)]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture
def zone(settings):
    """Set the installation's zone for one test. The next-release memo in pagecache is
    per process and assumes the zone never changes in one: start and end without it."""

    def use(name: str) -> None:
        settings.TIME_ZONE = name
        pagecache._next_cache.clear()

    yield use
    pagecache._next_cache.clear()


# --- scheduling -------------------------------------------------------------------------


def test_it_releases_at_local_eight_across_the_march_change(zone):
    zone("Europe/Berlin")  # summer time from 29 March 2026, 01:00 UTC
    slots = releases._slots(EIGHT, utc(2026, 3, 27, 12), utc(2026, 3, 31, 12))
    assert slots == [utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), utc(2026, 3, 30, 6), utc(2026, 3, 31, 6)]
    assert {slot.astimezone(BERLIN).strftime("%H:%M") for slot in slots} == {"08:00"}


def test_it_releases_at_local_eight_across_the_october_change(zone):
    zone("Europe/Berlin")  # winter time from 25 October 2026, 01:00 UTC
    slots = releases._slots(EIGHT, utc(2026, 10, 23, 12), utc(2026, 10, 26, 12))
    assert slots == [utc(2026, 10, 24, 6), utc(2026, 10, 25, 7), utc(2026, 10, 26, 7)]
    assert releases.next_time(EIGHT, utc(2026, 10, 24, 6)) == utc(2026, 10, 25, 7)


def test_a_time_the_change_skips_or_repeats_comes_once(zone):
    zone("Europe/Berlin")
    half_past_two = [datetime.time(2, 30)]
    # 29 March has no 02:30 in Berlin: it comes at 03:30 summer time, once.
    assert releases._slots(half_past_two, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == [utc(2026, 3, 29, 1, 30)]
    # 25 October has two: the first one only.
    assert releases._slots(half_past_two, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == [utc(2026, 10, 25, 0, 30)]
    # Asked with a Berlin clock reading 03:00 (01:00 UTC), the skipped 02:30 is still ahead.
    after = datetime.datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    assert releases.next_time(half_past_two, after) == utc(2026, 3, 29, 1, 30)


def test_tick_releases_at_the_campaigns_local_time(petition, clock, zone):
    zone("Europe/Berlin")
    petition.campaign.release_times = "08:00"
    petition.campaign.save()
    clock["now"] = utc(2026, 3, 30, 5)  # 07:00 in Berlin, summer time
    call_command("tick", verbosity=0)
    for n in range(5):
        signing.sign(petition, {"name": f"Signer {n}"})
    clock["now"] = utc(2026, 3, 30, 5, 59)  # 07:59 in Berlin
    call_command("tick", verbosity=0)
    assert releases.figures(petition)["total"] == 0
    clock["now"] = utc(2026, 3, 30, 6, 1)  # 08:01 in Berlin; 08:00 UTC is two hours off
    call_command("tick", verbosity=0)
    assert releases.figures(petition)["total"] == 5
    assert releases.figures(petition).next_at == utc(2026, 3, 31, 6)


# --- showing ----------------------------------------------------------------------------


def test_the_public_page_shows_the_local_time_and_zone(petition, clock, zone):
    zone("Europe/Lisbon")
    clock["now"] = utc(2026, 7, 2, 9, 30)  # 10:30 summer time in Lisbon
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "Next possible update: 2 July, 12:00 WEST." in html
    clock["now"] = utc(2026, 12, 2, 9, 30)  # winter: Lisbon is on UTC
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "Next possible update: 2 December, 12:00 WET." in html


def test_a_zone_without_an_abbreviation_is_shown_as_an_offset(zone):
    zone("America/Sao_Paulo")  # the tz database writes "-03", which reads like a typo
    assert day_and_time(utc(2026, 3, 2, 15)) == "2 March, 12:00 UTC-03"
    zone("UTC")
    assert day_and_time(utc(2026, 3, 2, 12)) == "2 March, 12:00 UTC"


# --- what stays UTC ---------------------------------------------------------------------


def test_the_stored_day_stays_the_utc_day(petition, zone, monkeypatch):
    zone("Europe/Berlin")
    late = utc(2026, 3, 2, 23, 30)  # already 00:30 on 3 March in Berlin
    monkeypatch.setattr(timezone, "now", lambda: late)
    signing.sign(petition, {"name": "Ana"})
    assert Signature.objects.get(petition=petition).day == datetime.date(2026, 3, 2)
    assert days.today() == datetime.date(2026, 3, 2)


def test_cached_pages_turn_over_with_the_utc_day(zone, monkeypatch, rf):
    """The page's own date rules read the UTC day (a pledge's deadline): its cache key must
    change with that day, not with Berlin's midnight an hour or two earlier."""
    zone("Europe/Berlin")
    request = rf.get("/p/x/")

    def key(when: datetime.datetime) -> str:
        monkeypatch.setattr(timezone, "now", lambda: when)
        return pagecache.key_for(request, "sign.html", [])

    assert key(utc(2026, 3, 2, 22, 30)) == key(utc(2026, 3, 2, 23, 30))  # Berlin's midnight passed between
    assert key(utc(2026, 3, 2, 23, 30)) != key(utc(2026, 3, 3, 0, 30))  # the UTC day changed


# --- the setting ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["Europe/Berln", "europe/berlin", "Europe", "../etc/passwd", "/etc/localtime", "+01"])
def test_a_bad_time_zone_name_is_refused_with_its_name(monkeypatch, bad):
    monkeypatch.setenv("CONCERTED_TIME_ZONE", bad)
    with pytest.raises(ImproperlyConfigured, match=r"CONCERTED_TIME_ZONE must be a time zone name like Europe/Berlin"):
        env_time_zone("CONCERTED_TIME_ZONE")


def test_the_time_zone_defaults_to_utc(monkeypatch):
    monkeypatch.delenv("CONCERTED_TIME_ZONE", raising=False)
    assert env_time_zone("CONCERTED_TIME_ZONE") == "UTC"
    monkeypatch.setenv("CONCERTED_TIME_ZONE", " Europe/Berlin ")
    assert env_time_zone("CONCERTED_TIME_ZONE") == "Europe/Berlin"


def test_a_bad_time_zone_stops_a_command_with_one_line(tmp_path):
    result = concerted(tmp_path, "tick", CONCERTED_TIME_ZONE="Europe/Berln")
    out = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in out, out
    assert "CONCERTED_TIME_ZONE must be a time zone name like Europe/Berlin" in out and "'Europe/Berln'" in out


def test_doctor_says_which_zone_release_times_follow(tmp_path):
    result = concerted(tmp_path, "doctor", CONCERTED_TIME_ZONE="Europe/Lisbon")
    assert "note    time-zone: Release times are scheduled and shown in Europe/Lisbon" in result.stdout, result.stdout
    assert "PROBLEM time-zone" not in result.stdout


def test_the_campaign_form_names_the_zone_of_its_release_times(as_user, campaign, zone):
    zone("Europe/Berlin")
    html = as_user("owner").get(reverse("campaigns:edit", args=[campaign.pk])).content.decode()
    assert "24-hour clock, Europe/Berlin time" in html and "server time" not in html


def test_the_dashboard_shows_release_moments_in_the_local_zone(as_user, petition, clock, zone):
    zone("Europe/Berlin")
    for n in range(5):
        signing.sign(petition, {"name": f"Signer {n}"})
    assert releases.force(petition, utc(2026, 3, 2, 9))  # 10:00 in Berlin
    html = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "released 2 March, 10:00 CET" in html  # the release panel
    assert "2 March, 12:00 CET" in html  # its next scheduled release (the clock says 10:30 there)
    assert "<td>2026-03-02 10:00 CET</td>" in html  # the day-by-day table

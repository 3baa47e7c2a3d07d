"""The organizer's "By group" table shows released figures only (DESIGN invariant 11).

The outside tester's case: "Night shift 0" beside a total of 7, one coworker signs
choosing Night shift, and the table changes. Whoever opens the dashboard before and after
(a read-only member may be the employer's informant) learns which group that one signer
chose, and when. The table now moves only at the day's first release, and a group that
changed by fewer than 5 since it was last shown stays hidden (concerted/core/breakdowns.py);
the exact total still moves, marked "not for sharing"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from concerted.campaigns.models import Segment
from concerted.core import releases
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": at(2, 9)}
    monkeypatch.setattr(releases, "now", lambda: state["now"])
    return state


def sign_in(petition, label: str, n: int) -> None:
    """n more signatures choosing the group `label`."""
    segment = petition.segments().get(label=label)
    for _ in range(n):
        sign(petition, {"name": f"{label} signer", "segment": segment.pk})


def by_group(html: str) -> str:
    found = re.search(r"<h2>By group</h2>.*?</table>", html, re.S)
    assert found, "no By group table"
    return found.group(0)


def cells(html: str) -> dict[str, str]:
    return dict(re.findall(r"<tr><td>([^<]+)</td><td>(?:<span[^>]*>)?([^<]+)", by_group(html)))


@pytest.mark.parametrize("who", ["owner", "teammate"])
@pytest.mark.parametrize("day_shift", [7, 12])
def test_a_signer_in_any_group_changes_nothing_in_the_table(as_user, petition, clock, who, day_shift):
    night = Segment.objects.create(campaign=petition.campaign, kind="team", label="Night shift")
    sign_in(petition, "Platform", day_shift)
    sign_in(petition, "Support", 5)  # the empty groups hold nobody: hiding them needs five more
    assert releases.force(petition, at(2, 10))
    url = reverse("petitions:dashboard", args=[petition.pk])
    client = as_user(who)
    before_html = client.get(url).content.decode()
    assert cells(before_html)["Platform"] == str(day_shift)
    assert cells(before_html)["Night shift"] == "hidden"
    sign(petition, {"name": "Night one", "segment": night.pk})
    after_html = client.get(url).content.decode()
    assert by_group(after_html) == by_group(before_html)


def test_a_group_that_grew_by_one_stays_hidden_at_the_next_days_release(as_user, petition, clock):
    sign_in(petition, "Platform", 20)
    sign_in(petition, "Support", 7)
    sign_in(petition, "Data", 5)  # hidden with the empty "Not given", so the others can show
    assert releases.force(petition, at(2, 10))
    url = reverse("petitions:dashboard", args=[petition.pk])
    first = cells(as_user("owner").get(url).content.decode())
    assert (first["Platform"], first["Support"]) == ("20", "7")
    sign_in(petition, "Support", 1)
    sign_in(petition, "Platform", 4)
    clock["now"] = at(3, 12)
    assert releases.force(petition, at(3, 12))
    second = cells(as_user("owner").get(url).content.decode())
    # Support 8 would say one Support signer since yesterday; Platform 24 beside the
    # released total of 37 would say the same by subtraction.
    assert second["Support"] == "hidden"
    assert second["Platform"] == "hidden"
    assert releases.figures(petition)["total"] == 37


def test_the_table_changes_once_a_day_at_most(as_user, petition, clock):
    sign_in(petition, "Platform", 7)
    sign_in(petition, "Support", 5)
    assert releases.force(petition, at(2, 10))
    sign_in(petition, "Platform", 7)
    assert releases.force(petition, at(2, 16))
    url = reverse("petitions:dashboard", args=[petition.pk])
    html = as_user("owner").get(url).content.decode()
    assert cells(html)["Platform"] == "7"
    assert releases.figures(petition)["total"] == 19  # the public count did move
    assert releases.force(petition, at(3, 8)) is False  # nothing pending
    sign_in(petition, "Platform", 5)
    assert releases.force(petition, at(3, 8))
    assert cells(as_user("owner").get(url).content.decode())["Platform"] == "19"
    assert "2026-03-02 10:00" in html


def test_an_empty_group_says_it_is_hidden_for_being_under_five(as_user, petition, clock):
    sign_in(petition, "Platform", 12)
    assert releases.force(petition, at(2, 10))
    table = by_group(as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode())
    assert "<td>Data</td><td><span" in table
    assert "fewer than 5" in table
    assert "<td>0</td>" not in table


def test_before_any_release_the_table_waits(as_user, petition, clock):
    url = reverse("petitions:dashboard", args=[petition.pk])
    html = as_user("owner").get(url).content.decode()
    assert "As first counted" in html
    sign_in(petition, "Platform", 6)
    assert by_group(as_user("owner").get(url).content.decode()) == by_group(html)


def test_the_not_given_group_is_shown_in_the_readers_language_whoever_released(as_user, petition, clock):
    from django.utils import translation

    sign_in(petition, "Platform", 6)
    for _ in range(5):
        sign(petition, {"name": "No group"})
    with translation.override("es"):  # a Spanish-speaking organizer pressed "release now"
        assert releases.force(petition, at(2, 10))
    client = as_user("owner")
    english = client.get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "<tr><td>Not given</td>" in english and "No indicado" not in english
    with translation.override("es"):
        spanish = client.get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "<tr><td>No indicado</td>" in spanish

"""The organizer's "By group" table doesn't show a group's first signer (DESIGN
invariant 11).

The outside tester's case: "Night shift 0" beside a total of 7, one coworker signs
choosing Night shift, the table shows "Night shift hidden" and the total 8. Whoever
polls the dashboard (a read-only member may be the employer's informant) learns that
exactly one Night-shift person signed, and on which day. The table must read the same
before and after; the exact total and the day-by-day figures do move, as they are
meant to for the committee (and are marked "not for sharing")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from concerted.campaigns.models import Segment
from concerted.petitions import stats
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db


def by_group(html: str) -> str:
    found = re.search(r"<h2>By group</h2>.*?</table>", html, re.S)
    assert found, "no By group table"
    return found.group(0)


@pytest.mark.parametrize("who", ["owner", "teammate"])
@pytest.mark.parametrize("day_shift", [7, 12])
def test_a_first_signer_in_an_empty_group_changes_nothing_in_the_table(as_user, petition, who, day_shift):
    night = Segment.objects.create(campaign=petition.campaign, kind="team", label="Night shift")
    platform = petition.segments().get(label="Platform")
    for i in range(day_shift):
        sign(petition, {"name": f"P{i}", "segment": platform.pk})
    url = reverse("petitions:dashboard", args=[petition.pk])
    client = as_user(who)
    before_html = client.get(url).content.decode()
    before_cells = stats.by_segment(petition)
    sign(petition, {"name": "Night one", "segment": night.pk})
    after_html = client.get(url).content.decode()
    assert by_group(after_html) == by_group(before_html)
    assert stats.by_segment(petition) == before_cells
    assert not any(cell.count == 0 for cell in before_cells)


def test_an_empty_group_says_it_is_hidden_for_being_under_five(as_user, petition):
    platform = petition.segments().get(label="Platform")
    for i in range(12):
        sign(petition, {"name": f"P{i}", "segment": platform.pk})
    table = by_group(as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode())
    assert "<td>Data</td><td><span" in table
    assert "fewer than 5" in table
    assert "<td>0</td>" not in table

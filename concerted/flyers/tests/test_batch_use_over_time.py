"""The committee's invite-batch table shows each batch's use as released (DESIGN
invariant 11; concerted/invites/usage.py).

The case: a batch of cards goes to one group (the night shift, one site, sometimes one
person). Shown exactly at every page load, "Used 3 of 10" becoming "4 of 10" told
whoever opened the page before and after (a read-only member may be the employer's
informant) that someone holding one of those cards signed, and when. Now the figures
move at most once a day, at the day's first release, audited like a group breakdown,
and neither the void confirmation nor the sealed download for printing again gives the
exact count away."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from concerted.core import releases
from concerted.invites import codes
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=datetime.UTC)


class Cards:
    """A batch's codes, handed out one by one."""

    def __init__(self, petition, label: str, size: int) -> None:
        self.petition = petition
        self.batch, self.left = codes.create_batch(petition.campaign, "petition", petition.pk, size, label)

    def sign(self, n: int) -> None:
        for _ in range(n):
            sign(self.petition, {"name": "Card holder", "invite_code": self.left.pop()})


def table(client, petition) -> str:
    html = client.get(reverse("flyers:page", args=["petition", petition.pk])).content.decode()
    found = re.search(
        r'<p class="help">[^<]*(?:released|release)[^<]*</p>\s*<div class="table-wrap"[^>]*><table class="batches">.*?</table>',
        html,
        re.S,
    )
    assert found, "no batch table"
    # The void buttons carry this response's CSRF token: not a figure.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", found.group(0))


def used(client, petition) -> dict[str, str]:
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td><td>(?:<span[^>]*>)?([^<]+)", table(client, petition))
    return dict(rows)


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_a_card_used_changes_nothing_in_the_table(as_user, invite_petition, clock, who):
    canteen, nights = Cards(invite_petition, "Canteen", 20), Cards(invite_petition, "Night shift", 10)
    canteen.sign(8)
    nights.sign(5)
    clock["now"] = at(2, 10)
    assert releases.force(invite_petition, at(2, 10))
    client = as_user(who)
    before = table(client, invite_petition)
    assert used(client, invite_petition) == {"Night shift": "5 of 10", "Canteen": "8 of 20"}
    nights.sign(1)
    assert table(client, invite_petition) == before
    # Another release the same day moves the public count, not the batch figures.
    canteen.sign(5)
    clock["now"] = at(2, 16)
    assert releases.force(invite_petition, at(2, 16))
    assert table(client, invite_petition) == before


def test_a_batch_that_grew_by_fewer_than_five_stays_hidden_the_next_day(as_user, invite_petition, clock):
    canteen, nights = Cards(invite_petition, "Canteen", 30), Cards(invite_petition, "Night shift", 10)
    canteen.sign(10)
    nights.sign(5)
    assert releases.force(invite_petition, at(2, 10))
    nights.sign(1)  # the one an informant would look for
    canteen.sign(5)
    clock["now"] = at(3, 12)
    assert releases.force(invite_petition, at(3, 12))
    shown = used(as_user("teammate"), invite_petition)
    assert shown["Night shift"] == "hidden, of 10"
    # Canteen grew by 5, but with Night shift hidden, the known total change (6) would give
    # Night shift's change (1) away: Canteen is hidden too.
    assert shown["Canteen"] == "hidden, of 30"
    canteen.sign(5)
    nights.sign(4)
    clock["now"] = at(4, 12)
    assert releases.force(invite_petition, at(4, 12))
    assert used(as_user("teammate"), invite_petition) == {"Night shift": "10 of 10", "Canteen": "20 of 30"}


def test_a_new_batch_shows_nothing_until_a_release(as_user, invite_petition, clock):
    Cards(invite_petition, "Lobby", 5).sign(1)
    html = table(as_user("owner"), invite_petition)
    assert (
        "appears at the next release" in html
        and "at the next release" in used(as_user("owner"), invite_petition)["Lobby"]
    )
    assert "1 of 5" not in html and ">4<" not in html


def test_the_void_confirmation_and_the_sealed_download_give_no_count_away(as_user, invite_petition, clock):
    cards = Cards(invite_petition, "Canteen", 6)
    client = as_user("teammate")
    void = reverse("flyers:batch_void", args=[cards.batch.pk])
    sealed = reverse("flyers:batch_sealed", args=[cards.batch.pk])

    def seen() -> tuple[str, dict]:
        asked = client.post(void).content.decode()
        consequences = re.search(r"<ul[^>]*>.*?</ul>", asked.split('id="main"', 1)[1], re.S)  # not the header's
        assert consequences and "stop working" in consequences.group(0)
        data = json.loads(client.get(sealed).content)
        return consequences.group(0), {"parent": data["parent"], "records": len(data["records"])}

    before = seen()
    cards.sign(1)
    assert seen() == before
    assert before[1]["records"] == 6 and "used" not in before[1]["parent"]

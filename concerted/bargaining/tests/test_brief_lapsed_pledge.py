"""The brief's list of items says why a pledge isn't ticked: a lapsed pledge is over
(every pledge destroyed), not "threshold not reached" like one still running."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from concerted.bargaining import brief
from concerted.core.days import today
from concerted.pledges.models import Pledge

pytestmark = pytest.mark.django_db


def make_pledge(kit, title: str) -> Pledge:
    pledge = Pledge.objects.create(
        campaign=kit.campaign,
        title=title,
        promise="I will decline to install the new tracker.",
        threshold_count=50,
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    return pledge


def choice(kit, title: str) -> brief.Choice:
    return next(c for c in brief.choices(kit) if title in c.label)


def test_it_says_a_lapsed_pledge_lapsed(kit, as_user):
    make_pledge(kit, "Refuse the keystroke tracker")
    lapsed = make_pledge(kit, "Refuse the leaderboard")
    Pledge.objects.filter(pk=lapsed.pk).update(deadline=today() - datetime.timedelta(days=30))
    lapsed.refresh_from_db()
    assert lapsed.lapse_if_due()

    running = choice(kit, "Refuse the keystroke tracker")
    assert (running.default, running.note) == (False, "threshold not reached")
    over = choice(kit, "Refuse the leaderboard")
    assert (over.default, over.note) == (False, "lapsed")

    html = as_user("owner").get(reverse("bargaining:brief_page", args=[kit.pk])).content.decode()
    assert 'Refuse the leaderboard (fewer than 5) <span class="help">(lapsed)</span>' in html
    assert 'Refuse the keystroke tracker (fewer than 5) <span class="help">(threshold not reached)</span>' in html


def test_it_says_lapsed_in_the_organizers_language(kit, monkeypatch):
    lapsed = make_pledge(kit, "Recusar o ranking")
    assert lapsed.call_off()  # the same destruction as a lapse
    # As the catalog will hold it once translated (concerted/locale is translated after
    # the code is written): a word left in English shows the note isn't translated.
    monkeypatch.setitem(trans_real.translation("pt")._catalog._catalogs[0], "lapsed", "caducado")
    with translation.override("pt"):
        assert choice(kit, "Recusar o ranking").note == "caducado"

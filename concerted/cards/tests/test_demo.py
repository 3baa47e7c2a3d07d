from __future__ import annotations

import random
import time

import pytest
from nacl.public import PrivateKey

from concerted.cards import demo, stats
from concerted.cards.models import CARD_KIND, ROSTER_KIND, BargainingUnit, Card, OneOnOne, RosterPerson
from concerted.core import keys
from concerted.core.demo import DemoContext
from concerted.core.sealing import open_sealed

pytestmark = pytest.mark.django_db


def test_the_demo_is_a_realistic_unit_that_opens_with_the_demo_key(campaign, owner):
    key = PrivateKey.generate()
    campaign.public_key = keys.format_public(key.public_key)
    campaign.save()
    started = time.monotonic()
    lines = demo.load(DemoContext(campaign, owner, key, random.Random(2026), "http://127.0.0.1:8000"))
    assert time.monotonic() - started < 20
    unit = BargainingUnit.objects.get(campaign=campaign)
    assert unit.size == RosterPerson.objects.filter(unit=unit).count() == 300
    cards = Card.objects.filter(unit=unit).count()
    assert 100 <= cards <= 150, cards
    assert OneOnOne.objects.filter(person__unit=unit).count() > 20
    assert RosterPerson.objects.filter(unit=unit, assessment__isnull=False).count() > 150
    assert "card drive" in lines[0]
    person = RosterPerson.objects.filter(unit=unit).first()
    assert open_sealed(key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())["name"]
    card = Card.objects.filter(unit=unit).first()
    assert open_sealed(key, card.sealed, kind=CARD_KIND, ids=card.envelope_ids())["consent"] is True
    progress = stats.progress(unit)
    assert progress.thresholds[0].reached  # past 30%
    assert not progress.thresholds[1].reached  # not yet a majority: something to work towards
    _columns, rows = stats.wall_chart(unit, "team")
    assert {row.label for row in rows} >= {"Support", "Platform", "Data", "Design", "Sales"}

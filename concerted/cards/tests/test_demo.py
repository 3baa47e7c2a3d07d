from __future__ import annotations

import random
import time

import pytest
from nacl.public import PrivateKey

from concerted.cards import demo, roster, stats
from concerted.cards.models import CARD_KIND, NOTE_KIND, ROSTER_KIND, BargainingUnit, Card, OneOnOne, RosterPerson
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
    assert "card drive" in lines[0]
    person = RosterPerson.objects.filter(unit=unit).first()
    assert open_sealed(key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())["name"]
    card = Card.objects.filter(unit=unit).first()
    assert open_sealed(key, card.sealed, kind=CARD_KIND, ids=card.envelope_ids())["consent"] is True
    progress = stats.progress(unit)
    assert progress.thresholds[0].reached  # past 30%
    assert not progress.thresholds[1].reached  # not yet a majority: something to work towards
    people = [
        open_sealed(key, p.sealed, kind=ROSTER_KIND, ids=p.envelope_ids()) | {"id": str(p.pk)}
        for p in RosterPerson.objects.filter(unit=unit)
    ]
    log = [
        open_sealed(key, n.sealed, kind=NOTE_KIND, ids=n.envelope_ids()) | {"person": str(n.person_id)}
        for n in OneOnOne.objects.filter(person__unit=unit).select_related("person__unit")
    ]
    opened = [open_sealed(key, c.sealed, kind=CARD_KIND, ids=c.envelope_ids()) for c in Card.objects.filter(unit=unit)]
    rows, unmatched = roster.wall_chart(people, log, opened)
    assert {row["department"] for row in rows} == {"Support", "Platform", "Data", "Design", "Sales"}
    assert sum(1 for row in rows if row["assessment"]) > 150
    assert sum(1 for row in rows if row["card"] == "signed") == cards and not unmatched

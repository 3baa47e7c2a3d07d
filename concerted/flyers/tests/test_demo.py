from __future__ import annotations

import random

import pytest
from nacl.public import PrivateKey

from concerted.core.demo import DemoContext
from concerted.flyers import demo
from concerted.invites.models import InviteBatch, InviteCode

pytestmark = pytest.mark.django_db


def test_it_loads_an_invite_batch_and_prints_the_flyer_url(campaign, petition, owner):
    ctx = DemoContext(campaign, owner, PrivateKey.generate(), random.Random(1), "http://127.0.0.1:8000")
    lines = demo.load(ctx)
    assert f"http://127.0.0.1:8000/en/o/flyers/petition/{petition.pk}/flyer.pdf?paper=letter" in lines[0]
    batch = InviteBatch.objects.get()
    assert (batch.size, batch.used) == (16, 2)
    assert InviteCode.objects.count() == 14

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def unit(campaign):
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit

    return BargainingUnit.objects.create(
        campaign=campaign,
        name="Acme support agents",
        employer="Acme Corp.",
        union="Acme Workers United",
        size=10,
        supermajority_percent=70,
        card_text=DEFAULT_CARD_TEXT,
        card_segment_kind="team",
        status=BargainingUnit.Status.OPEN,
    )


@pytest.fixture
def other_unit(outsider, private_key):
    """A unit in the outsider's campaign, sealed to the same key (worst case for swaps)."""
    from concerted.campaigns.models import Campaign
    from concerted.cards.models import BargainingUnit
    from concerted.core import keys

    campaign = Campaign.objects.get(name="Elsewhere")
    campaign.public_key = keys.format_public(private_key.public_key)
    campaign.save()
    return BargainingUnit.objects.create(
        campaign=campaign, name="Other unit", employer="Other", union="Other union", size=5, card_text="Card."
    )


CARD = {
    "full_name": "Ada Lovelace",
    "employer": "Acme Corp.",
    "job_classification": "Support agent II",
    "phone": "+49 151 2345 6789",
    "email": "",
    "consent": "on",
    "signature": "Ada Lovelace",
}


def sign_card(unit, **fields):
    return Client().post(reverse("cards:sign", args=[unit.slug]), {**CARD, **fields})


@pytest.fixture
def person(unit):
    from concerted.cards import signing

    return signing.add_person(unit, {"name": "Grace Hopper", "contact": "grace@example.org", "assessment": 2})

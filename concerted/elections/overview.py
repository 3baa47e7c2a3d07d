from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item


def election_items(campaign: Campaign) -> list[Item]:
    # total is 0: an election holds no records sealed to the campaign key (its ballots
    # are encrypted to the trustees, and a public URL appears once voting opens).
    return [
        Item(
            kind=_("Secret ballot"),
            title=e.title,
            status=e.get_status_display(),
            total=0,
            organizer_url=reverse("elections:dashboard", args=[e.pk]),
            public_url="" if e.status == e.Status.SETUP else reverse("elections:vote", args=[e.slug]),
        )
        for e in campaign.elections.all()
    ]

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item
from concerted.core import releases


def petition_items(campaign: Campaign) -> list[Item]:
    return [
        Item(
            kind=_("Petition"),
            title=p.title,
            status=p.get_status_display(),
            total=p.n,
            organizer_url=reverse("petitions:dashboard", args=[p.pk]),
            public_url=reverse("petitions:sign", args=[p.slug]),
            shared_total=int(releases.figures(p).get("total", 0)),
        )
        for p in campaign.petitions.annotate(n=Count("signatures"))
    ]

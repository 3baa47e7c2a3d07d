from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item
from concerted.core import releases


def unit_items(campaign: Campaign) -> list[Item]:
    return [
        Item(
            kind=_("Card drive"),
            title=unit.name,
            status=unit.get_status_display(),
            total=unit.n,
            organizer_url=reverse("cards:dashboard", args=[unit.pk]),
            public_url=reverse("cards:sign", args=[unit.slug]),
            shared_total=int(releases.figures(unit).get("total", 0)),
        )
        for unit in campaign.units.annotate(n=Count("cards"))
    ]

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item


def pledge_items(campaign: Campaign) -> list[Item]:
    items = []
    for pledge in campaign.pledges.select_related("campaign"):
        pledge.lapse_if_due()  # the campaign page is an access too
        count = pledge.count()
        items.append(
            Item(
                kind=_("Pledge"),
                title=pledge.title,
                status=pledge.state(count).label,
                total=count,
                organizer_url=reverse("pledges:dashboard", args=[pledge.pk]),
                public_url=reverse("pledges:pledge", args=[pledge.slug]),
                # the bargaining brief leaves unreached pledges out unless ticked
                extra={"app": "pledges", "state": pledge.state(count).value},
                shared_total=pledge.public_count(),
            )
        )
    return items

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item


def survey_items(campaign: Campaign) -> list[Item]:
    return [
        Item(
            kind=_("Survey"),
            title=s.title,
            status=s.get_status_display(),
            total=s.n,
            organizer_url=reverse("surveys:builder", args=[s.pk]),
            public_url=reverse("surveys:answer", args=[s.slug]),
        )
        for s in campaign.surveys.annotate(n=Count("responses"))
    ]

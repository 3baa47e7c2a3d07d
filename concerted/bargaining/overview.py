from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item

from .models import Kit


def kit_items(campaign: Campaign) -> list[Item]:
    kit = Kit.objects.filter(campaign=campaign).first()
    if kit is None:
        return []
    is_open = kit.reports_open or kit.proposals_open or kit.voting_open
    return [
        Item(
            kind=_("Bargaining kit"),
            title=_("AI at work: reports, demands, ballot"),
            status=_("Open") if is_open else _("Closed"),
            total=kit.report_count() + kit.proposals.count(),
            organizer_url=reverse("bargaining:dashboard", args=[kit.pk]),
            public_url=reverse("bargaining:home", args=[kit.slug]),
            extra={"app": "bargaining"},
        )
    ]

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign
from concerted.campaigns.overview import Item


def election_items(campaign: Campaign) -> list[Item]:
    # total is 0: an election holds no records sealed to the campaign key (its ballots
    # are encrypted to the trustees, and a public URL appears once voting opens), and
    # total is what "does this campaign hold sealed records?" asks. The figure shown is
    # the ballots on the public board instead (revotes included: anyone can count them
    # there), never the ones still waiting for a batch.
    elections = campaign.elections.annotate(on_board=Count("ballots", filter=Q(ballots__batch__isnull=False)))
    return [
        Item(
            kind=_("Secret ballot"),
            title=e.title,
            status=e.get_status_display(),
            total=0,
            organizer_url=reverse("elections:dashboard", args=[e.pk]),
            public_url="" if e.status == e.Status.SETUP else reverse("elections:vote", args=[e.slug]),
            extra={"app": "elections", "shown_total": e.on_board},
        )
        for e in elections
    ]

"""Who a committee message can go to (concerted.core.audiences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerted.core.audiences import Audience

from .models import Commitment, Pledge


def _describe(pledge: Pledge) -> dict[str, Any]:
    return {
        "id": str(pledge.pk),
        "slug": pledge.slug,
        "title": pledge.title,
        "promise": pledge.promise,
        "status": pledge.status,
    }


def _pledges(campaign: Any) -> Any:
    return Pledge.objects.filter(campaign=campaign).exclude(status__in=[Pledge.Status.DRAFT, Pledge.Status.LAPSED])


def _until_confirmed(pledge: Pledge) -> str:
    if pledge.status != Pledge.Status.ACTIVE:
        return gettext("This pledge is not confirmed yet: an organizer confirms it on its dashboard first.")
    return ""


def _go_ahead(pledge: Pledge) -> tuple[str, str]:
    """The go-ahead `concerted notify` used to send, now a draft the organizer checks."""
    subject = gettext("Go: %(title)s") % {"title": pledge.title}
    body = gettext(
        "Hello,\n\nYou pledged: “%(promise)s”\n\n"
        "Enough of us pledged, and the committee has confirmed it: it is time to act together, as pledged.\n"
        "Talk to someone on the committee in person if you have questions.\n\n— %(committee)s"
    ) % {"promise": pledge.promise, "committee": pledge.campaign.committee_name}
    return subject, body


ALL = Audience(
    name="pledges.all",
    label=_("Everyone who pledged"),
    model=Commitment,
    parents=_pledges,
    describe=_describe,
    title=lambda pledge: pledge.title,
)
CONFIRMED = Audience(
    name="pledges.confirmed",
    label=_("Pledgers, once the pledge is confirmed"),
    model=Commitment,
    parents=_pledges,
    describe=_describe,
    refuse=_until_confirmed,
    title=lambda pledge: pledge.title,
    draft=_go_ahead,
)

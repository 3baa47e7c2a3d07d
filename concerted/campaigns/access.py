"""The one place that fetches a campaign *and* checks the user organizes it.

Anyone else, signed in or not, gets a 404: they learn nothing, not even that it exists."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from .models import Campaign


def campaign_for_organizer(request: HttpRequest, campaign_id: uuid.UUID | str) -> Campaign:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        return Campaign.objects.get(pk=campaign_id, organizers=user)
    except (Campaign.DoesNotExist, ValueError):
        raise Http404 from None

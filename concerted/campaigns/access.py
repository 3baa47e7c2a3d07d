"""The one place that fetches a campaign *and* checks the user may do this to it.

Anyone who doesn't organize it, signed in or not, gets a 404: they learn nothing, not
even that it exists. A co-organizer whose role doesn't allow the action gets a 403.
Reading (GET/HEAD) needs the read-only role, changing anything (every other method)
needs organizer; a view passes `role=Role.OWNER` for what only owners may do. A
campaign that requires two-factor sign-in is closed to a session that didn't use a
code, except to the reveal tokens the CLI uses (issued from such a session)."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from concerted.accounts.sessions import TwoFactorRequired, session_has_two_factor

from .models import Campaign, Membership, Role, role_allows

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def campaign_for_organizer(request: HttpRequest, campaign_id: uuid.UUID | str, role: str | None = None) -> Campaign:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        membership = Membership.objects.select_related("campaign").filter(campaign_id=campaign_id, user=user).first()
    except (ValueError, TypeError):
        raise Http404 from None
    if membership is None:
        raise Http404
    campaign = membership.campaign
    if campaign.require_two_factor and not getattr(request, "via_token", False) and not session_has_two_factor(request):
        raise TwoFactorRequired
    needed = role or (Role.READ_ONLY if request.method in SAFE_METHODS else Role.ORGANIZER)
    if not role_allows(membership.role, needed):
        raise PermissionDenied(
            _("Your role in this campaign (%(role)s) doesn't allow this. Ask an owner if you need more.")
            % {"role": Role(membership.role).label}
        )
    campaign.my_role = membership.role  # type: ignore[attr-defined]
    # For organizer_base.html, whatever object the page was fetched through.
    request.campaign_role = membership.role  # type: ignore[attr-defined]
    return campaign

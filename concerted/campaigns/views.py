"""Organizer pages for a campaign: settings, key, groups, co-organizers, overview."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.core import confirm
from concerted.core.hashing import code_hash, new_code
from concerted.core.public import public_url
from concerted.core.ratelimit import public_post_limit

from .access import campaign_for_organizer
from .forms import (
    CampaignForm,
    InviteForm,
    NewOrganizerForm,
    PublicKeyForm,
    RoleForm,
    TwoFactorPolicyForm,
    segment_form,
)
from .models import (
    ROLE_HELP,
    Campaign,
    Membership,
    OrganizerInvite,
    Role,
    Segment,
    cancel_unbacked_invites,
    role_allows,
)
from .overview import campaign_actions, campaign_items


@login_required
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.filter(organizers=request.user)
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            campaign = form.save()
            Membership.objects.create(campaign=campaign, user=request.user, role=Role.OWNER)
        messages.success(request, _("Campaign created. Next: make the committee key on your own computer."))
        return redirect("campaigns:key", campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@login_required
@require_safe
def campaign_detail(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "items": campaign_items(campaign),
            "actions": campaign_actions(),
            "segments": campaign.segments.all(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Campaign saved."))
        return redirect("campaigns:detail", campaign.pk)
    return render(
        request, "campaigns/form.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_key(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    """Every member sees the key; only an owner sets it. Before the first record any
    organizer could replace it, and every name signed after that was sealed to a key the
    committee never held (a planted organizer's)."""
    campaign = campaign_for_organizer(request, campaign_id, role=Role.OWNER if request.method == "POST" else None)
    form = PublicKeyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if (
            campaign.public_key
            and campaign.public_key != form.cleaned_data["formatted"]
            and campaign_has_records(campaign)
        ):
            form.add_error(
                None,
                _(
                    "This campaign already holds records sealed to its current key. Changing the key now "
                    "would make them unreadable with the new one; start a new campaign instead."
                ),
            )
        else:
            campaign.public_key = form.cleaned_data["formatted"]
            campaign.save(update_fields=["public_key"])
            messages.success(request, _("Public key saved. Keep the private key off this server."))
            return redirect("campaigns:detail", campaign.pk)
    return render(
        request, "campaigns/key.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


def campaign_has_records(campaign: Campaign) -> bool:
    return any(item.total for item in campaign_items(campaign))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_segments(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = segment_form(campaign, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Group added."))
        return redirect("campaigns:segments", campaign.pk)
    return render(
        request,
        "campaigns/segments.html",
        {"form": form, "campaign": campaign, "segments": campaign.segments.all()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def segment_delete(request: HttpRequest, campaign_id: uuid.UUID, segment_id: int) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    segment = get_object_or_404(Segment, pk=segment_id, campaign=campaign)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Remove the group “%(label)s”?") % {"label": segment.label},
            consequences=[
                _("Records that named this group keep existing but no longer count in any group."),
                _("Adding a group with the same name later does not bring those counts back."),
            ],
            confirm_label=_("Yes, remove the group"),
            cancel_url=reverse("campaigns:segments", args=[campaign.pk]),
            context={"campaign": campaign},
        )
    segment.delete()
    messages.success(request, _("Group removed."))
    return redirect("campaigns:segments", campaign.pk)


INVITE_DAYS = 3
INVITE_PREFIX = "cxi_"


def _team_page(
    request: HttpRequest, campaign: Campaign, invite_form: InviteForm | None = None, new_link: str = ""
) -> HttpResponse:
    my_role = campaign.my_role  # type: ignore[attr-defined]
    invite_form = invite_form or InviteForm(inviter_role=my_role)
    return render(
        request,
        "campaigns/organizers.html",
        {
            "campaign": campaign,
            "memberships": campaign.memberships.select_related("user").order_by("user__username"),  # type: ignore[attr-defined]
            "invites": campaign.invites.filter(expires__gt=timezone.now()).select_related("invited_by"),  # type: ignore[attr-defined]
            "invite_form": invite_form,
            "policy_form": TwoFactorPolicyForm(instance=campaign),
            "roles": Role.choices,
            "role_help": [(Role(v).label, ROLE_HELP[v]) for v in Role.values],
            "is_owner": my_role == Role.OWNER,
            "can_invite": role_allows(my_role, Role.ORGANIZER),
            "new_link": new_link,
            "invite_days": INVITE_DAYS,
        },
        status=400 if invite_form.errors else 200,
    )


@login_required
@require_safe
def campaign_organizers(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    return _team_page(request, campaign_for_organizer(request, campaign_id))


@login_required
@require_POST
def organizer_invite(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id, role=Role.ORGANIZER)
    form = InviteForm(request.POST, inviter_role=campaign.my_role)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _team_page(request, campaign, form)
    code = INVITE_PREFIX + new_code(24)
    invite = form.save(commit=False)
    invite.campaign = campaign
    invite.invited_by = request.user
    invite.code_hash = code_hash(code, "organizer-invite")
    invite.expires = timezone.now() + datetime.timedelta(days=INVITE_DAYS)
    invite.save()
    return _team_page(request, campaign, new_link=public_url(reverse("campaigns:join", args=[code])))


@login_required
@require_POST
def invite_cancel(request: HttpRequest, campaign_id: uuid.UUID, invite_id: int) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id, role=Role.ORGANIZER)
    get_object_or_404(OrganizerInvite, pk=invite_id, campaign=campaign).delete()
    messages.success(request, _("Invite cancelled: the link no longer works."))
    return redirect("campaigns:organizers", campaign.pk)


def _cancelled_note(cancelled: int) -> str:
    if not cancelled:
        return ""
    return " " + ngettext(
        "The invite link they made no longer works.",
        "The %(n)d invite links they made no longer work.",
        cancelled,
    ) % {"n": cancelled}


def _owners_left(campaign: Campaign, without: Membership) -> bool:
    return campaign.memberships.filter(role=Role.OWNER).exclude(pk=without.pk).exists()  # type: ignore[attr-defined]


@login_required
@require_POST
def organizer_role(request: HttpRequest, campaign_id: uuid.UUID, user_id: int) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id, role=Role.OWNER)
    membership = get_object_or_404(Membership, campaign=campaign, user_id=user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown role."))
    elif form.cleaned_data["role"] == membership.role:
        messages.info(request, _("Nothing changed: that is already their role."))
    elif form.cleaned_data["role"] != Role.OWNER and not _owners_left(campaign, membership):
        messages.error(request, _("A campaign needs at least one owner. Make someone else owner first."))
    else:
        with transaction.atomic():
            membership.role = form.cleaned_data["role"]
            membership.save(update_fields=["role"])
            cancelled = cancel_unbacked_invites(campaign, membership.user)
        messages.success(request, _("Role changed.") + _cancelled_note(cancelled))
    return redirect("campaigns:organizers", campaign.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organizer_remove(request: HttpRequest, campaign_id: uuid.UUID, user_id: int) -> HttpResponse:
    """GET asks first (works without JavaScript); POST removes. Owners remove anyone;
    anyone may leave."""
    leaving = user_id == request.user.pk
    campaign = campaign_for_organizer(request, campaign_id, role=Role.READ_ONLY if leaving else Role.OWNER)
    membership = get_object_or_404(Membership.objects.select_related("user"), campaign=campaign, user_id=user_id)
    if membership.role == Role.OWNER and not _owners_left(campaign, membership):
        messages.error(request, _("A campaign needs at least one owner. Make someone else owner first."))
        return redirect("campaigns:organizers", campaign.pk)
    if request.method == "POST":
        with transaction.atomic():
            membership.delete()
            cancelled = cancel_unbacked_invites(campaign, membership.user)
        messages.success(
            request,
            _("%(name)s no longer organizes this campaign.") % {"name": membership.user} + _cancelled_note(cancelled),
        )
        return redirect("campaigns:list" if leaving else "campaigns:organizers", *([] if leaving else [campaign.pk]))
    return render(
        request,
        "confirm.html",
        {
            "campaign": campaign,
            "title": _("Leave this campaign?") if leaving else _("Remove %(name)s?") % {"name": membership.user},
            "consequences": [
                _("They lose access to this campaign at once, on every device they are signed in on."),
                _("Their reveal tokens no longer fetch this campaign's records."),
                _("Invite links they made and nobody used yet stop working."),
                _("Only a new invite from the team can bring them back."),
            ],
            "keeps": _(
                "This can't take back a copy of the private key or any export they already have: if you don't "
                "trust them any more, start a new campaign with a new key."
            ),
            "confirm_label": _("Leave") if leaving else _("Remove"),
            "cancel_url": reverse("campaigns:organizers", args=[campaign.pk]),
        },
    )


@login_required
@require_POST
def two_factor_policy(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id, role=Role.OWNER)
    form = TwoFactorPolicyForm(request.POST, instance=campaign)
    if form.is_valid():
        form.save()
        if campaign.require_two_factor:
            messages.success(
                request,
                _("Two-factor sign-in is now required: organizers without it are asked to turn it on first."),
            )
        else:
            messages.success(request, _("Two-factor sign-in is no longer required for this campaign."))
    return redirect("campaigns:organizers", campaign.pk)


def _invite_for(code: str) -> OrganizerInvite | None:
    return (
        OrganizerInvite.objects.select_related("campaign")
        .filter(code_hash=code_hash(code, "organizer-invite"), expires__gt=timezone.now())
        .first()
    )


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
def join(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link. Safe to GET (mail scanners follow links); only a POST uses it up,
    in the same transaction that adds the organizer."""
    invite = _invite_for(code)
    if invite is None or not invite.still_backed():
        return render(request, "campaigns/join.html", {"invite": None}, status=404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else NewOrganizerForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        # The new account's Argon2 hash takes up to a second: made before the transaction,
        # which on SQLite holds the whole server's write lock (every signature waits).
        new_user = None if form is None else form.save(commit=False)
        with transaction.atomic():
            # Deleting the row is the consumption: of two racing POSTs only one deletes it.
            if not OrganizerInvite.objects.filter(pk=invite.pk, expires__gt=timezone.now()).delete()[0]:
                return render(request, "campaigns/join.html", {"invite": None}, status=404)
            if new_user is not None:
                new_user.save()
            user = request.user if new_user is None else new_user
            Membership.objects.get_or_create(campaign=invite.campaign, user=user, defaults={"role": invite.role})
        if not signed_in:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("You now organize %(campaign)s. Turn on two-factor sign-in to protect it.")
            % {"campaign": invite.campaign.name},
        )
        return redirect("campaigns:detail", invite.campaign.pk)
    return render(
        request,
        "campaigns/join.html",
        {"invite": invite, "form": form, "role_help": ROLE_HELP[invite.role]},
        status=400 if form is not None and form.errors else 200,
    )

"""Organizer pages for a campaign: settings, key, groups, co-organizers, overview."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import campaign_for_organizer
from .forms import AddOrganizerForm, CampaignForm, PublicKeyForm, segment_form
from .models import Campaign, Segment
from .overview import campaign_actions, campaign_items


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.filter(organizers=request.user)
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            campaign = form.save()
            campaign.organizers.add(request.user)
        messages.success(request, _("Campaign created. Next: make the committee key on your own computer."))
        return redirect("campaigns:key", campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@login_required
@require_GET
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
@require_http_methods(["GET", "POST"])
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
@require_http_methods(["GET", "POST"])
def campaign_key(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
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
@require_http_methods(["GET", "POST"])
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
    get_object_or_404(Segment, pk=segment_id, campaign=campaign).delete()
    messages.success(request, _("Group removed."))
    return redirect("campaigns:segments", campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_organizers(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = AddOrganizerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign.organizers.add(form.cleaned_data["username"])
        messages.success(request, _("Organizer added."))
        return redirect("campaigns:organizers", campaign.pk)
    return render(
        request,
        "campaigns/organizers.html",
        {"form": form, "campaign": campaign, "organizers": campaign.organizers.order_by("username")},
        status=400 if form.errors else 200,
    )

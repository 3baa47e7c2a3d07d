"""Organizer pages for petitions: write, open, watch, export."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm, records, releases, translations

from .. import stats
from ..forms import PetitionForm
from ..models import Petition, Signature


def petition_for_organizer(request: HttpRequest, petition_id: uuid.UUID) -> Petition:
    return records.parent_for_organizer(request, Petition, petition_id)


def _preview_form(request: HttpRequest, form: PetitionForm, context: dict[str, object]) -> HttpResponse:
    """The editor's preview: the text as coworkers will see it, nothing saved (works
    without JavaScript: it is a second submit button)."""
    form.is_valid()  # shows field errors next to the preview, typed text kept
    return render(
        request,
        "petitions/form.html",
        {**context, "form": form, "preview_text": request.POST.get("body", "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def petition_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = PetitionForm(request.POST or None, instance=Petition(campaign=campaign))
    if "preview" in request.POST:
        return _preview_form(request, form, {"campaign": campaign})
    if request.method == "POST" and form.is_valid():
        petition = form.save()
        messages.success(request, _("Petition saved as a draft. Preview it, then open it for signatures."))
        return redirect("petitions:dashboard", petition.pk)
    return render(
        request, "petitions/form.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def petition_edit(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    petition = petition_for_organizer(request, petition_id)
    # Once it has been open, only the goal is offered; the page says why (the form
    # refuses a posted title, text or addressee with a message: forms.PetitionForm).
    form = PetitionForm(request.POST or None, instance=petition)
    if "preview" in request.POST and not form.locked:
        return _preview_form(request, form, {"campaign": petition.campaign, "petition": petition})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Petition saved."))
        return redirect("petitions:dashboard", petition.pk)
    return render(
        request,
        "petitions/form.html",
        {"form": form, "campaign": petition.campaign, "petition": petition},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    petition = petition_for_organizer(request, petition_id)
    release_status = releases.status(petition)
    return render(
        request,
        "petitions/dashboard.html",
        {
            "petition": petition,
            "campaign": petition.campaign,
            "progress": stats.progress(petition),
            "release_status": release_status,
            "asks_groups": petition.segments().exists(),
        },
    )


@login_required
@require_safe
def preview(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    from ..forms import SignForm

    petition = petition_for_organizer(request, petition_id)
    return render(
        request,
        "petitions/sign.html",
        {"petition": petition, "campaign": petition.campaign, "form": SignForm(petition=petition), "preview": True},
    )


@login_required
@require_POST
def set_status(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    petition = petition_for_organizer(request, petition_id)
    status = request.POST.get("status", "")
    if status not in Petition.Status.values:
        messages.error(request, _("Unknown status."))
    elif status == Petition.Status.DRAFT and petition.status != status and petition.content_locked():
        # A draft's page is offline and its text editable: neither may happen to a
        # petition people have seen or signed.
        messages.error(
            request,
            _(
                "A petition that has been open for signatures can't go back to draft: its public page and its "
                "text stay as people signed them. Close signing instead."
            ),
        )
    elif status == Petition.Status.OPEN and not petition.campaign.has_key:
        messages.error(request, _("Add the committee public key before opening: signatures are sealed to it."))
    elif status == Petition.Status.OPEN and petition.status == Petition.Status.DRAFT and not confirm.confirmed(request):
        return confirm.ask_to_open(
            request,
            title=_("Open this petition for signatures?"),
            fixed=_(
                "Its title, text, addressee and groups are fixed from then on, in every language, as people sign "
                "them. Only the goal can still change."
            ),
            confirm_label=_("Yes, open it for signatures"),
            cancel_url=reverse("petitions:dashboard", args=[petition.pk]),
            preview_url=reverse("petitions:preview", args=[petition.pk]),
            context={"campaign": petition.campaign},
        )
    else:
        petition.status = status
        petition.save(update_fields=["status"])
        messages.success(request, _("Petition is now: %(status)s.") % {"status": petition.get_status_display()})
    return redirect("petitions:dashboard", petition.pk)


@session_or_token
@require_safe
def export_json(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    petition = petition_for_organizer(request, petition_id)
    return records.export_response(
        model=Signature,
        campaign=petition.campaign,
        parent={
            "id": str(petition.pk),
            "slug": petition.slug,
            "title": petition.title,
            "body": petition.body,
            "addressee": petition.addressee,
            "goal": petition.goal(),
            # Its text in the other languages, so `reveal --language` can make the
            # deliverable in the addressee's (core/translations.py).
            "translations": translations.for_export(petition),
        },
        records=Signature.objects.filter(petition=petition).select_related("segment").order_by("day", "id"),
        filename=f"petition-{petition.slug}-sealed.json",
    )


@login_required
@require_safe
def signers(request: HttpRequest, petition_id: uuid.UUID) -> HttpResponse:
    """The page decrypts in the browser: it fetches the sealed export and opens it with
    a key the organizer loads from their own disk. The key never leaves the page."""
    petition = petition_for_organizer(request, petition_id)
    response = render(request, "petitions/signers.html", {"petition": petition, "campaign": petition.campaign})
    # libsodium's WebAssembly needs this; still no inline script and no other origin.
    response["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response

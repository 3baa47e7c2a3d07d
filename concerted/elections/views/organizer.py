"""Organizer pages: set an election up, hand trustees their invitations, load the
public credentials, publish batches, close, publish the tally. None of them can see a
vote: the server holds no key."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.campaigns.access import campaign_for_organizer

from .. import ballotbox
from ..forms import CredentialsForm, ElectionForm, RevokeForm
from ..models import MIN_ELECTORATE, Election, Trustee


def election_for_organizer(request: HttpRequest, election_id: uuid.UUID) -> Election:
    election = Election.objects.filter(pk=election_id).select_related("campaign").first()
    if election is None:
        raise Http404
    campaign_for_organizer(request, election.campaign_id)
    return election


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def election_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = ElectionForm(request.POST or None, instance=Election(campaign=campaign))
    if request.method == "POST" and form.is_valid():
        election = form.save()
        messages.success(request, _("Election saved. Next: invite the trustees to make the key."))
        return redirect("elections:dashboard", election.pk)
    return render(
        request,
        "elections/form.html",
        {"form": form, "campaign": campaign, "min_electorate": MIN_ELECTORATE},
        status=400 if form.errors else 200,
    )


def _dashboard(request: HttpRequest, election: Election, **extra: Any) -> HttpResponse:
    return render(
        request,
        "elections/dashboard.html",
        {
            "election": election,
            "campaign": election.campaign,
            "trustees": list(election.trustees.all()),
            "eligible": election.eligible().count(),
            "revoked": election.credentials.filter(revoked=True).count(),
            "cast": election.ballots.count(),
            "pending": ballotbox.pending_count(election),
            "batches": election.batches.count(),
            "min_electorate": MIN_ELECTORATE,
            "credentials_form": extra.pop("credentials_form", CredentialsForm()),
            "revoke_form": extra.pop("revoke_form", RevokeForm()),
            **extra,
        },
        status=extra.pop("status", 200) if "status" in extra else 200,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    return _dashboard(request, election_for_organizer(request, election_id))


@login_required
@require_POST
def trustees(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    """Make the trustee invitations. Their tokens are shown on this one response only."""
    election = election_for_organizer(request, election_id)
    if election.status != Election.Status.SETUP or election.trustees.exists():
        messages.error(request, _("The trustees were already invited."))
        return redirect("elections:dashboard", election.pk)
    with transaction.atomic():
        made = [
            Trustee.create(election, i, _("Trustee %(i)d") % {"i": i}) for i in range(1, election.trustee_count + 1)
        ]
    server = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "elections/trustee_invites.html",
        {
            "election": election,
            "campaign": election.campaign,
            "invites": [(t, token) for t, token in made],
            "server": server,
        },
    )


@login_required
@require_POST
def credentials(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    election = election_for_organizer(request, election_id)
    form = CredentialsForm(request.POST)
    if form.is_valid():
        try:
            added = ballotbox.add_credentials(election, form.cleaned_data["publics"])
        except ballotbox.Refused as refused:
            form.add_error("publics", str(refused))
        else:
            messages.success(request, _("%(n)d public credentials added.") % {"n": added})
            return redirect("elections:dashboard", election.pk)
    return _dashboard(request, election, credentials_form=form, status=400)


@login_required
@require_POST
def revoke(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    election = election_for_organizer(request, election_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            ballotbox.revoke_credential(election, form.cleaned_data["public"].strip().lower())
        except ballotbox.Refused as refused:
            form.add_error("public", str(refused))
        else:
            messages.success(request, _("Credential revoked. Add its replacement above."))
            return redirect("elections:dashboard", election.pk)
    return _dashboard(request, election, revoke_form=form, status=400)


ACTIONS = {
    "open": (ballotbox.open_voting, _("Voting is open.")),
    "close": (ballotbox.close, _("Voting is closed. The trustees can now decrypt the sums.")),
    "tally": (ballotbox.publish_tally, _("The tally is published on the board.")),
}


@login_required
@require_POST
def action(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    election = election_for_organizer(request, election_id)
    what = request.POST.get("action", "")
    try:
        if what == "release":
            if not election.is_open:
                raise ballotbox.Refused(_("The election is not open."))
            batch = ballotbox.release_batch(election)
            if batch is None:
                raise ballotbox.Refused(_("A batch needs at least 5 waiting ballots."))
            messages.success(request, _("Batch published."))
        elif what in ACTIONS:
            step, done = ACTIONS[what]
            step(election)
            messages.success(request, str(done))
        else:
            raise ballotbox.Refused(_("Unknown action."))
    except ballotbox.Refused as refused:
        messages.error(request, str(refused))
    return redirect("elections:dashboard", election.pk)


# --- the trustees' command-line tool talks to these (token, not session) ----------


def _trustee(request: HttpRequest, election_id: uuid.UUID) -> Trustee:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Trustee "):
        raise Http404
    trustee = (
        Trustee.objects.filter(election_id=election_id, token_hash=Trustee.hash_token(header[8:].strip()))
        .select_related("election")
        .first()
    )
    if trustee is None:
        raise Http404
    return trustee


@csrf_exempt  # authenticated by the trustee's token header, never by a cookie
@require_http_methods(["GET", "HEAD", "POST"])
def trustee_api(request: HttpRequest, election_id: uuid.UUID, step: str) -> HttpResponse:
    trustee = _trustee(request, election_id)
    election = trustee.election
    try:
        if request.method == "GET":
            if step == "roster":
                return JsonResponse({**ballotbox.roster(election), "index": trustee.index, "status": election.status})
            if step == "messages":
                return JsonResponse({"messages": ballotbox.messages_for(trustee)})
            if step == "board":
                return JsonResponse(ballotbox.board(election))
            raise Http404
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            raise ballotbox.Refused(_("Not JSON.")) from None
        if step == "box":
            ballotbox.set_box_key(trustee, str(data.get("box_public", "")))
        elif step == "deal":
            ballotbox.post_deal(trustee, data["dealer"], data["sealed"])
        elif step == "share-proof":
            ballotbox.post_share_proof(trustee, data["proof"])
        elif step == "partial":
            ballotbox.post_partial(trustee, data["shares"])
        else:
            raise Http404
    except ballotbox.Refused as refused:
        return JsonResponse({"error": str(refused)}, status=400)
    except (KeyError, TypeError, AttributeError):
        return JsonResponse({"error": _("Malformed request.")}, status=400)
    return JsonResponse({"ok": True})

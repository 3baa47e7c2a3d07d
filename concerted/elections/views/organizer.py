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
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm

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


def _no_result_reason(election: Election) -> str:
    """Why a closed vote ended without a result (too few ballots counted), or "": the
    same words the close and Publish-the-tally give."""
    if not election.ended_without_result():
        return ""
    try:
        ballotbox.refuse_too_few(election, election.counted_count())
    except ballotbox.Refused as too_few:
        return str(too_few)
    return ""


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
            "dealt": any(t.dealer is not None for t in election.trustees.all()),
            "no_result": _no_result_reason(election),
            "credentials_form": extra.pop("credentials_form", None) or CredentialsForm(election=election),
            "revoke_form": extra.pop("revoke_form", None) or RevokeForm(election=election),
            **extra,
        },
        status=extra.pop("status", 200) if "status" in extra else 200,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    return _dashboard(request, election_for_organizer(request, election_id))


def _invites(request: HttpRequest, election: Election, made: list[tuple[Trustee, str]]) -> HttpResponse:
    """The page that shows tokens: never cached (the back button must not bring a token
    back from the browser's cache); the server keeps only their hashes."""
    response = render(
        request,
        "elections/trustee_invites.html",
        {
            "election": election,
            "campaign": election.campaign,
            "invites": made,
            "server": request.build_absolute_uri("/").rstrip("/"),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def trustees(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    """Make the trustee invitations, make one trustee's token again, or start the key
    ceremony again. Tokens are shown on that one response only; a reload or a lost page
    loses nothing that can't be made again (a new token) until the trustee registers a key."""
    election = election_for_organizer(request, election_id)
    step = request.POST.get("step", "invite")
    if step == "reissue":
        return _reissue(request, election)
    if step == "restart":
        return _restart(request, election)
    if election.status != Election.Status.SETUP or election.trustees.exists():
        messages.error(
            request,
            _(
                "The trustees were already invited. Their tokens can't be shown again (the server keeps only a "
                "hash): under Trustees, make a new token for a trustee who hasn't registered a key yet."
            ),
        )
        return redirect("elections:dashboard", election.pk)
    with transaction.atomic():
        made = [
            Trustee.create(election, i, _("Trustee %(i)d") % {"i": i}) for i in range(1, election.trustee_count + 1)
        ]
    return _invites(request, election, made)


def _reissue(request: HttpRequest, election: Election) -> HttpResponse:
    try:
        index = int(request.POST.get("trustee", ""))
    except ValueError:
        index = 0
    with transaction.atomic():
        trustee = election.trustees.select_for_update().filter(index=index).first()
        if trustee is None or election.status != Election.Status.SETUP:
            messages.error(request, _("No such trustee, or the key ceremony is over."))
            return redirect("elections:dashboard", election.pk)
        if trustee.box_public:
            messages.error(
                request,
                _(
                    "%(trustee)s has already registered a key: their state file holds their token, so they need "
                    "no new one. If they lost that file, start the key ceremony again (possible until a trustee "
                    "has dealt)."
                )
                % {"trustee": trustee.label},
            )
            return redirect("elections:dashboard", election.pk)
        token = trustee.reissue()
    return _invites(request, election, [(trustee, token)])


def _restart(request: HttpRequest, election: Election) -> HttpResponse:
    dashboard_url = reverse("elections:dashboard", args=[election.pk])
    if election.status != Election.Status.SETUP or election.trustees.filter(dealer__isnull=False).exists():
        messages.error(
            request,
            _("The key ceremony can only start again before any trustee has dealt. After that, make a new election."),
        )
        return redirect(dashboard_url)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Start the key ceremony again?"),
            consequences=[
                _("Every trustee token stops working, and every registered trustee key is forgotten."),
                _(
                    "You then make new invitations, and every trustee runs init again with their new token "
                    "(their old state file can stay: init reuses it)."
                ),
            ],
            confirm_label=_("Start the key ceremony again"),
            cancel_url=dashboard_url,
            context={"campaign": election.campaign},
        )
    with transaction.atomic():
        election.messages.all().delete()
        election.trustees.all().delete()
    messages.success(request, _("The key ceremony starts again: make the trustee invitations."))
    return redirect(dashboard_url)


@login_required
@require_POST
def credentials(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    election = election_for_organizer(request, election_id)
    form = CredentialsForm(request.POST, election=election)
    if form.is_valid():
        publics = form.cleaned_data["publics"]
        try:
            added = ballotbox.add_credentials(election, publics)
        except ballotbox.Refused as refused:
            form.add_error("publics", str(refused))
        else:
            there = len(publics) - added
            if not added:
                messages.info(
                    request,
                    ngettext(
                        "Nothing added: that public credential was already there.",
                        "Nothing added: all %(n)d public credentials were already there.",
                        there,
                    )
                    % {"n": there},
                )
            elif there:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d public credential added",
                        "%(n)d public credentials added",
                        added,
                    )
                    % {"n": added}
                    + ngettext(
                        "; %(m)d was already there.",
                        "; %(m)d were already there.",
                        there,
                    )
                    % {"m": there},
                )
            else:
                messages.success(
                    request,
                    ngettext("%(n)d public credential added.", "%(n)d public credentials added.", added) % {"n": added},
                )
            return redirect("elections:dashboard", election.pk)
    return _dashboard(request, election, credentials_form=form, status=400)


@login_required
@require_POST
def revoke(request: HttpRequest, election_id: uuid.UUID) -> HttpResponse:
    election = election_for_organizer(request, election_id)
    form = RevokeForm(request.POST, election=election)
    if form.is_valid():
        try:
            ballotbox.revoke_credential(election, form.cleaned_data["public"])
        except ballotbox.Refused as refused:
            form.add_error("public", str(refused))
        else:
            messages.success(
                request, _("Credential revoked. If the member needs a new card, add its public credential above.")
            )
            return redirect("elections:dashboard", election.pk)
    return _dashboard(request, election, revoke_form=form, status=400)


# Lazy: built once at import, read in each request's language.
ACTIONS = {
    "open": (ballotbox.open_voting, gettext_lazy("Voting is open.")),
    "close": (ballotbox.close, gettext_lazy("Voting is closed. The trustees can now decrypt the sums.")),
    "tally": (ballotbox.publish_tally, gettext_lazy("The tally is published on the board.")),
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
        elif what == "close" and _close_needs_asking(election) and not confirm.confirmed(request):
            return _ask_to_close(request, election)
        elif what in ACTIONS:
            step, done = ACTIONS[what]
            step(election)
            if what == "close" and election.ended_without_result():
                # Closed, but no tally will come of it: the dashboard says why, now and
                # later, and doesn't promise what the trustees can't do.
                messages.warning(request, _("Voting is closed."))
                return redirect("elections:dashboard", election.pk)
            messages.success(request, str(done))
        else:
            raise ballotbox.Refused(_("Unknown action."))
    except ballotbox.Refused as refused:
        messages.error(request, str(refused))
    return redirect("elections:dashboard", election.pk)


def _close_needs_asking(election: Election) -> bool:
    """Closing can't be undone: asked once, with the figures so far. A close that will
    be refused anyway (not open, too few voters) is refused at once, without asking."""
    return election.is_open and election.eligible().count() >= MIN_ELECTORATE


def _too_few_to_count(cast: int, need: int) -> str:
    """The close page's warning when no tally can come of this vote, or "". Said only
    when it is certain from the count the dashboard already shows: a revote or a revoked
    card counts one ballot fewer (counted <= voting codes that cast <= cast), but how
    many codes voted again must stay unknown until the close (coercion resistance)."""
    if cast >= need:
        return ""
    if cast == 0:
        return _(
            "No ballot has been cast: a tally needs at least %(need)d counted ballots, so this vote can't be "
            "counted secretly. Closing ends it without a result."
        ) % {"need": need}
    return ngettext(
        "Only %(cast)d ballot was cast, so at most %(cast)d can be counted: fewer than the %(need)d a tally "
        "needs, so this vote can't be counted secretly. Closing ends it without a result.",
        "Only %(cast)d ballots were cast, so at most %(cast)d can be counted: fewer than the %(need)d a tally "
        "needs, so this vote can't be counted secretly. Closing ends it without a result.",
        cast,
    ) % {"cast": cast, "need": need}


def _ask_to_close(request: HttpRequest, election: Election) -> HttpResponse:
    cast = election.ballots.count()
    pending = ballotbox.pending_count(election)
    eligible = election.eligible().count()
    too_few = _too_few_to_count(cast, ballotbox.min_counted(election))
    consequences = [
        ngettext(
            "So far: %(cast)d ballot cast (revotes included), with %(eligible)d eligible voters.",
            "So far: %(cast)d ballots cast (revotes included), with %(eligible)d eligible voters.",
            cast,
        )
        % {"cast": cast, "eligible": eligible},
    ]
    if too_few:
        # Closing stays possible: ending a vote that failed is the committee's call.
        consequences.append(too_few)
    consequences.append(
        _(
            "Nobody can vote any more: a ballot sent after this is refused, and voting can't be opened "
            "again. A member who hasn't voted yet, or wanted to vote again, no longer can."
        )
    )
    if pending:
        # With none waiting there is no last batch to speak of.
        consequences.append(
            ngettext(
                "The %(n)d ballot waiting is published now, in a last batch (which may hold fewer than 5).",
                "The %(n)d ballots waiting are published now, in a last batch (which may hold fewer than 5).",
                pending,
            )
            % {"n": pending}
        )
    consequences.append(
        _("The board then says which ballots were replaced by a later one or had their card revoked.")
        if too_few
        else _(
            "The board then says which ballots were replaced by a later one or had their card revoked, "
            "and the trustees can decrypt the sums for the tally."
        )
    )
    return confirm.ask(
        request,
        title=_("Close voting?"),
        consequences=consequences,
        confirm_label=_("Close voting now"),
        cancel_url=reverse("elections:dashboard", args=[election.pk]),
        context={"campaign": election.campaign},
    )


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
                return JsonResponse(
                    {
                        **ballotbox.roster(election),
                        "index": trustee.index,
                        "status": election.status,
                        "title": election.title,
                    }
                )
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

"""Voter pages. With JavaScript the ballot is encrypted on the voter's phone and the
server never sees the choice or the voting code; without it, a clearly labelled
fallback encrypts on the server."""

from __future__ import annotations

import json

from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.core import pagecache, subjects
from concerted.core.ratelimit import public_post_limit

from .. import ballotbox
from .. import evcrypto as ev
from ..forms import VoteForm
from ..models import Election

MAX_BALLOT_BYTES = 200_000


def _public_election(slug: str) -> Election:
    return subjects.by_slug(Election, slug, hidden_status=Election.Status.SETUP)


def _cast_json(election: Election, raw: str) -> str:
    if len(raw) > MAX_BALLOT_BYTES:
        raise ballotbox.Refused(_("The ballot is too large."))
    try:
        ballot = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise ballotbox.Refused(_("The ballot could not be read.")) from None
    return ballotbox.cast(election, ballot)


# libsodium's sumo build is WebAssembly: compiling it needs 'wasm-unsafe-eval' (which
# allows WebAssembly only, not eval of JavaScript), on this page alone.
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    if request.method == "GET":
        return pagecache.form_page(
            request,
            "elections/vote.html",
            lambda: {
                "election": election,
                "campaign": election.campaign,
                "form": VoteForm(election=election),
                "problem": "",
                "waiting": False,
                "offer_server": False,
                "spec": election.question_spec(),
            },
            rows=[election, election.campaign],
        )
    form = VoteForm(election=election)
    problem = ""
    waiting = offer_server = False
    if request.method == "POST" and election.is_open:
        try:
            if request.POST.get("ballot"):
                tr = _cast_json(election, request.POST["ballot"])
                return redirect("elections:tracker", election.slug, tr)
            form = VoteForm(request.POST, election=election)
            # The flag sits in <noscript> inside the form: only a browser with JavaScript
            # off submits it. Without it and without a ballot, JavaScript is on but the
            # encryption had not loaded yet: cast nothing unless the voter says so.
            no_script = request.POST.get("no_script") == "1"
            valid = form.is_valid()
            opted_in = bool(form.cleaned_data.get("server_encrypt"))
            waiting = not no_script and not opted_in
            offer_server = not no_script
            if valid and not waiting:
                assert election.manifest is not None
                ballot, _secrets = ev.encrypt_ballot(
                    election.manifest, form.cleaned_data["code"], [form.cleaned_data["choice"]]
                )
                tr = ballotbox.cast(election, ballot)
                return redirect("elections:tracker", election.slug, tr)
        except ballotbox.Refused as refused:
            problem = str(refused)
    status = 400 if (problem or form.errors or waiting) else 200
    return render(
        request,
        "elections/vote.html",
        {
            "election": election,
            "campaign": election.campaign,
            "form": form,
            "problem": problem,
            "waiting": waiting,
            "offer_server": offer_server,
            "spec": election.question_spec(),
        },
        status=status,
    )


@require_safe
def tracker(request: HttpRequest, slug: str, tracker: str) -> HttpResponse:
    election = _public_election(slug)
    ballot = election.ballots.filter(tracker=tracker).select_related("batch").first()
    if ballot is None:
        raise Http404
    return render(
        request,
        "elections/tracker.html",
        {"election": election, "campaign": election.campaign, "tracker": tracker, "ballot": ballot},
    )


@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    wanted = request.GET.get("tracker", "").strip().lower()
    batches = []
    found = None
    for batch in election.batches.all():
        trackers = sorted(batch.ballots.values_list("tracker", flat=True))
        if wanted and wanted in trackers:
            found = batch
        batches.append((batch, trackers))
    return render(
        request,
        "elections/board.html",
        {
            "election": election,
            "campaign": election.campaign,
            "batches": batches,
            "wanted": wanted,
            "found": found,
            "spec": election.question_spec(),
            # The title inside a translated sentence, marked with the language it is in.
            "title_marked": format_html('<span lang="{}">{}</span>', election.text_lang, election.title)
            if election.text_lang
            else election.title,
            # Yes and no are the page's words; other options the campaign's own text.
            "options_lang": "" if election.kind == Election.Kind.YES_NO else election.text_lang,
            "rows": list(zip(election.question_spec()["options"], election.tally["result"][0], strict=True))
            if election.tally
            else [],
            "passed": election.passed(),
            "eligible": election.eligible().count(),
        },
    )


@require_safe
def board_json(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    response = JsonResponse(ballotbox.board(election))
    response["Content-Disposition"] = f'attachment; filename="election-{election.slug}-board.json"'
    return response


@require_safe
def manifest_json(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    return JsonResponse({"manifest": election.manifest, "status": election.status})


@csrf_exempt  # no cookie is read: the ballot is its own authority (signed with the voter's credential)
@require_POST
@public_post_limit
def cast_json(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    try:
        tr = _cast_json(election, request.body.decode("utf-8", "replace"))
    except ballotbox.Refused as refused:
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": str(refused)}, status=400)
        context = {"election": election, "campaign": election.campaign, "problem": str(refused)}
        return render(request, "elections/cast_refused.html", context, status=400)
    return JsonResponse({"tracker": tr})

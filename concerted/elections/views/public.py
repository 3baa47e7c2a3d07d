"""Voter pages. With JavaScript the ballot is encrypted on the voter's phone and the
server never sees the choice or the voting code; without it, a clearly labelled
fallback encrypts on the server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from concerted.core import pagecache, subjects
from concerted.core.ratelimit import client_key, global_key

from .. import ballotbox
from .. import evcrypto as ev
from ..forms import VoteForm
from ..models import Election

MAX_BALLOT_BYTES = 200_000
TRACKER_LENGTH = 64  # hex SHA-256 of the ballot (evcrypto.tracker)


def _ballot_rate(group: str, request: HttpRequest) -> str:
    return settings.BALLOT_POST_RATE


def _global_rate(group: str, request: HttpRequest) -> str | None:
    return settings.GLOBAL_POST_RATE or None


def ballot_post_limit(group: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like core's public_post_limit, with its own, higher limit per address
    (CONCERTED_BALLOT_POST_RATE): a membership meeting votes from one hall Wi-Fi, one
    address, and the 20 of the public limit would stop it after 20 members. The global
    ceiling on all public POSTs still applies."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        limited = ratelimit(group=group, key=client_key, rate=_ballot_rate, method="POST", block=True)(view)
        return ratelimit(group="concerted-global", key=global_key, rate=_global_rate, method="POST", block=True)(
            limited
        )

    return decorate


def _closed(election: Election) -> bool:
    return election.status in (Election.Status.CLOSED, Election.Status.TALLIED)


def _excluded_reason(election: Election, tracker: str) -> str:
    """After the close only: why a ballot is not counted ("replaced" or "revoked"), or ""."""
    if not _closed(election) or not election.closing:
        return ""
    for entry in election.closing.get("excluded", []):
        if entry.get("tracker") == tracker:
            return str(entry.get("reason", ""))
    return ""


def _after_close_state(election: Election, tracker: str, on_board: bool) -> str:
    """After the close only, what a tracker's ballot became: "counted", "replaced",
    "revoked", "absent" (every ballot cast is on the board once voting closed), or
    "no_tally" (it would count, but too few ballots do for any tally to be made). ""
    before the close: a page must then read the same for a ballot that still counts and
    one a revote replaced (coercion resistance)."""
    if not _closed(election) or not election.closing:
        return ""
    if not on_board:
        return "absent"
    excluded = _excluded_reason(election, tracker)
    if excluded:
        return excluded
    return "no_tally" if election.ended_without_result() else "counted"


def tracker_problem(text: str) -> str:
    """Why what was typed can't be a tracker (64 hexadecimal characters), or ""."""
    if len(text) != TRACKER_LENGTH:
        return ngettext(
            "A tracker is 64 characters long (digits 0–9 and letters a–f); what you typed has %(n)d character. "
            "Copy the whole tracker.",
            "A tracker is 64 characters long (digits 0–9 and letters a–f); what you typed has %(n)d characters. "
            "Copy the whole tracker.",
            len(text),
        ) % {"n": len(text)}
    if any(ch not in "0123456789abcdef" for ch in text):
        return _("A tracker has only digits 0–9 and letters a–f; what you typed has other characters.")
    return ""


def _public_election(slug: str) -> Election:
    return subjects.by_slug(Election, slug, hidden_status=Election.Status.SETUP)


def _read_ballot(raw: str) -> Any:
    if len(raw) > MAX_BALLOT_BYTES:
        raise ballotbox.Refused(_("The ballot is too large."))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise ballotbox.Refused(_("The ballot could not be read.")) from None


def _cast_json(election: Election, raw: str) -> str:
    return ballotbox.cast(election, _read_ballot(raw))


# libsodium's sumo build is WebAssembly: compiling it needs 'wasm-unsafe-eval' (which
# allows WebAssembly only, not eval of JavaScript), on this page alone.
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
@require_http_methods(["GET", "HEAD", "POST"])
@ballot_post_limit("concerted-ballot")
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
    if request.method == "POST" and not election.is_open:
        # Said plainly, and not a 200: a ballot that arrives after the close is not cast.
        problem = _("Voting is closed: your ballot was not cast.")
    elif request.method == "POST":
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
            if not form.is_bound:
                # A ballot encrypted elsewhere was refused: the code and the choice the page
                # sent along stay in their fields, to fix or to try again (no field errors:
                # they were not what was refused).
                picked = request.POST.getlist("choice")
                several = election.question_spec()["max"] > 1
                choice = picked if several else (picked[0] if picked else "")
                form = VoteForm(initial={"code": request.POST.get("code", ""), "choice": choice}, election=election)
    status = 400 if (problem or form.errors or waiting) else 200
    if request.method == "POST" and not election.is_open:
        status = 409
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
    state = _after_close_state(election, tracker, on_board=ballot is not None and ballot.batch_id is not None)
    if ballot is None:
        # Said plainly, in a page and not a bare 404: a mistyped or cut tracker is the usual cause.
        context = {"election": election, "campaign": election.campaign, "tracker": tracker, "state": state}
        return render(request, "elections/tracker_unknown.html", context, status=404)
    return render(
        request,
        "elections/tracker.html",
        {
            "election": election,
            "campaign": election.campaign,
            "tracker": tracker,
            "ballot": ballot,
            "excluded": _excluded_reason(election, tracker),
            "state": state,
        },
    )


@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    # Kept as typed for the field; searched without spaces or capitals (a copied tracker
    # may come with a line break in it).
    typed = request.GET.get("tracker", "")
    wanted = "".join(typed.split()).lower()
    problem = tracker_problem(wanted) if wanted else ""
    batches = []
    found = None
    for batch in election.batches.all():
        trackers = sorted(batch.ballots.values_list("tracker", flat=True))
        if wanted and not problem and wanted in trackers:
            found = batch
        batches.append((batch, trackers))
    return render(
        request,
        "elections/board.html",
        {
            "election": election,
            "campaign": election.campaign,
            "batches": batches,
            "typed": typed.strip(),
            "wanted": wanted,
            "problem": problem,
            "found": found,
            "state": _after_close_state(election, wanted, on_board=found is not None) if wanted and not problem else "",
            # Which ballots were replaced is public only after the close (before it,
            # nobody can tell whether a ballot still counts: coercion resistance).
            "excluded": _excluded_reason(election, wanted) if found else "",
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
            "no_result": election.ended_without_result(),
            "eligible": election.eligible().count(),
        },
        status=400 if problem else 200,
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


def _refused(request: HttpRequest, election: Election, refused: ballotbox.Refused) -> HttpResponse:
    status = 409 if _closed(election) else 400
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": str(refused), **({"code": refused.code} if refused.code else {})}, status=status)
    context = {"election": election, "campaign": election.campaign, "problem": str(refused)}
    return render(request, "elections/cast_refused.html", context, status=status)


@csrf_exempt  # no cookie is read: the ballot is its own authority (signed with the voter's credential)
@require_POST
@ballot_post_limit("concerted-ballot")
def cast_json(request: HttpRequest, slug: str) -> HttpResponse:
    election = _public_election(slug)
    try:
        tr = _cast_json(election, request.body.decode("utf-8", "replace"))
    except ballotbox.Refused as refused:
        return _refused(request, election, refused)
    return JsonResponse({"tracker": tr, "url": reverse("elections:tracker", args=[election.slug, tr])})


@csrf_exempt  # as cast.json: the ballot is signed with the voter's credential
@require_POST
@ballot_post_limit("concerted-ballot-check")
def spoiled_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The page tells the server a ballot was opened for checking (Benaloh challenge),
    before it shows the randomness: from then on nobody can cast it. It sends the
    ballot (ciphertexts, proofs, signature) and never the randomness or the choice."""
    election = _public_election(slug)
    try:
        tr = ballotbox.spoil(election, _read_ballot(request.body.decode("utf-8", "replace")))
    except ballotbox.Refused as refused:
        return _refused(request, election, refused)
    return JsonResponse({"spoiled": tr})

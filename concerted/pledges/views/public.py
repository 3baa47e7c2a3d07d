"""Participant pages: no JavaScript needed, nothing stored but the sealed row.

Every page that shows a pledge first runs the lapse check, so a pledge whose deadline
passed is destroyed on first sight even if cron never ran."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.core import confirm, days, pagecache, receipts, releases, sentonce, subjects, translations
from concerted.core.kanon import show_count
from concerted.core.ratelimit import public_post_limit
from concerted.invites import codes as invite_codes

from .. import pledging
from ..forms import PledgeForm
from ..models import Pledge, State


def _public_pledge(slug: str) -> Pledge:
    pledge = subjects.by_slug(Pledge, slug, hidden_status=Pledge.Status.DRAFT)
    pledge.lapse_if_due()
    # The text in the page's language (core/translations.py); pledges are the same rows.
    return translations.localize(pledge)


def progress_context(pledge: Pledge, *, exact: bool = False) -> dict[str, object]:
    """Counts for a page; shown from 5 people up (k-anonymity). Public pages get the
    figures as last released, so neither a single arrival nor the crossing of the
    threshold shows before a release; `exact` is for the organizer's own dashboard."""
    release = None if exact else releases.figures(pledge)
    count = pledge.count() if release is None else int(release.get("count", 0))
    threshold = pledge.threshold()
    public_total = show_count(count)
    percent = min(100, int(count * 100 / threshold)) if threshold and public_total is not None else None
    return {
        "state": pledge.state(count),
        "State": State,
        "count": count,
        "threshold": threshold,
        "public_total": public_total,
        "progress_percent": percent,
        "accepting": pledge.accepting(),
        "release": release,
    }


def _context(pledge: Pledge, **extra: object) -> dict[str, object]:
    return {
        "pledge": pledge,
        "campaign": pledge.campaign,
        # The deadline ends at the installation's midnight: a coworker in another zone
        # (remote, travelling) needs to know whose midnight. Unset (UTC): nothing to add.
        "deadline_zone": days.zone_name(),
        **progress_context(pledge),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a repeat of this form (double tap, Back) gets its first receipt
def pledge_page(request: HttpRequest, slug: str) -> HttpResponse:
    pledge = _public_pledge(slug)
    status = 200
    extra: dict[str, object] = {}
    if request.method == "POST":
        form = PledgeForm(request.POST, pledge=pledge)
        status = 400
        if not pledge.accepting():
            form.is_valid()  # keep what was typed, with field errors if any
            form.add_error(None, _("This pledge no longer takes pledges: its deadline has passed or it has ended."))
        elif form.is_valid():
            try:
                with sentonce.remembered(request) as remember:
                    done = pledging.pledge(pledge, form.cleaned_data)
                    url = reverse("pledges:receipt", args=[pledge.slug, done.receipt_code]) + "?new=1"
                    remember(url)
            except pledging.InviteRefused as refused:
                form.add_error("invite_code", refused.message)
            except pledging.NotAccepting:
                form.add_error(None, _("This pledge stopped taking pledges a moment ago. Nothing was stored."))
            else:
                # A URL, not a view name: redirect() would first try it as one (a failed reverse()).
                return HttpResponseRedirect(url)
    else:
        # An invite link (?code=...) only fills the field in: a GET never uses a code up,
        # so a mail scanner or link preview that follows the link burns nothing.
        code = request.GET.get("code", "")[:40] if pledge.requires_invite else ""
        if not code:
            return pagecache.form_page(
                request,
                "pledges/pledge.html",
                lambda: _context(pledge, form=PledgeForm(pledge=pledge)),
                rows=[pledge, pledge.campaign],
                # Open or past its deadline: that ends at the installation's midnight, which
                # the cache key's UTC day doesn't turn with (hours apart, east or west of UTC).
                extra=[pagecache.next_release(pledge.campaign.release_times), pledge.accepting()],
            )
        form = PledgeForm(pledge=pledge, initial={"invite_code": invite_codes.prefill(code)})
        if pledge.accepting():
            extra["invite_problem"] = invite_codes.message_for(code)
    return render(request, "pledges/pledge.html", _context(pledge, form=form, **extra), status=status)


def _receipt_page(
    request: HttpRequest, pledge: Pledge, code: str, *, status: int = 200, **extra: object
) -> HttpResponse | None:
    """The receipt page, or None when the code matches no pledge here. A lapsed pledge
    has nothing left to look a code up in, and its state is the same for everyone."""
    if pledge.status == Pledge.Status.LAPSED:
        return render(request, "pledges/receipt.html", _context(pledge, code_display=receipts.display(code)))
    commitment = pledging.find_by_receipt(pledge, code)
    if commitment is None:
        return None
    context = _context(
        pledge,
        found=True,
        code=receipts.normalize(code),
        code_display=receipts.display(code),
        # Stored as the UTC day (core/days.py); the deadline ends at the installation's
        # midnight. West of UTC an evening pledge's UTC day is the day after the deadline,
        # and a receipt saying so reads as "too late". Taken before the end of the deadline
        # day, with a UTC day after it, it was made on the deadline day itself.
        pledged_day=min(commitment.day, pledge.deadline),
        record=commitment,
        **extra,
    )
    return render(request, "pledges/receipt.html", context, status=status)


def _unknown(request: HttpRequest, pledge: Pledge, code: str, **extra: object) -> HttpResponse:
    # The code goes back into the page's lookup box (as typed, escaped), to fix rather than retype.
    return render(request, "pledges/receipt_unknown.html", _context(pledge, typed=code[:64], **extra), status=404)


@require_safe
def receipt(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    pledge = _public_pledge(slug)
    page = _receipt_page(request, pledge, code, is_new=request.GET.get("new") == "1")
    return page or _unknown(request, pledge, code)


@require_safe
def receipt_lookup(request: HttpRequest, slug: str) -> HttpResponse:
    pledge = _public_pledge(slug)
    code = receipts.typed_code(request.GET.get("code", ""))
    if code:
        if receipts.looks_valid(code) and (
            pledge.status == Pledge.Status.LAPSED or pledging.find_by_receipt(pledge, code)
        ):
            return redirect("pledges:receipt", pledge.slug, receipts.normalize(code))
        return _unknown(request, pledge, code, tried=True)
    return render(request, "pledges/receipt_lookup.html", _context(pledge))


@require_POST
@public_post_limit
def withdraw(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    pledge = _public_pledge(slug)
    commitment = pledging.find_by_receipt(pledge, code) if pledge.status != Pledge.Status.LAPSED else None
    if commitment is None:
        # Lapsed: already destroyed with every other pledge, and the receipt page says so.
        return _receipt_page(request, pledge, code) or _unknown(request, pledge, code)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Withdraw your pledge?"),
            consequences=[
                _("Your pledge is deleted for good and no longer counts toward the threshold."),
                _("Your receipt code stops working."),
            ],
            confirm_label=_("Yes, withdraw my pledge"),
            cancel_url=reverse("pledges:receipt", args=[pledge.slug, receipts.normalize(code)]),
            participant=True,
            context=_context(pledge),
        )
    try:
        pledging.withdraw(commitment)
    except pledging.CannotWithdraw:
        error = _("The committee has confirmed this pledge, so it can no longer be withdrawn here.")
        return _receipt_page(request, pledge, code, status=409, error=error) or _unknown(request, pledge, code)
    page = reverse("pledges:pledge", args=[pledge.slug])
    return render(request, "pledges/withdrawn.html", _context(pledge, language_path=page))

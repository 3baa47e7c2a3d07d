"""Coworker pages: no JavaScript, phone-first, nothing stored but counts and sealed text."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerted.core import pagecache, sentonce, subjects, translations
from concerted.core.ratelimit import public_post_limit

from .. import filing
from ..forms import BallotForm, PressureReportForm, ProposalForm, SurveillanceReportForm
from ..models import Kit

THANKS = {"report", "proposal", "ballot"}


def _kit(slug: str) -> Kit:
    return subjects.by_slug(Kit, slug)


def _closed(request: HttpRequest, kit: Kit, message: str) -> HttpResponse:
    context = {"kit": kit, "campaign": kit.campaign, "message": message}
    return render(request, "bargaining/closed.html", context, status=404)


@require_safe
def home(request: HttpRequest, slug: str) -> HttpResponse:
    kit = _kit(slug)
    if not (kit.reports_open or kit.proposals_open or kit.voting_open):
        return _closed(request, kit, _("The committee isn't collecting anything here at the moment."))
    return render(request, "bargaining/home.html", {"kit": kit, "campaign": kit.campaign})


def _report(request: HttpRequest, slug: str, form_class: type, save: object, heading: str, intro: str) -> HttpResponse:
    kit = _kit(slug)
    if not (kit.reports_open and kit.campaign.has_key):
        return _closed(request, kit, _("The committee isn't taking reports here at the moment."))
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            with sentonce.remembered(request) as remember:
                save(kit, form.row(), form.sealed_data())  # type: ignore[operator]
                remember(url := reverse("bargaining:thanks", args=[kit.slug]) + "?sent=report")
            return redirect(url)
        status = 400
    else:
        return pagecache.form_page(
            request,
            "bargaining/report.html",
            lambda: {"kit": kit, "campaign": kit.campaign, "form": form_class(), "heading": heading, "intro": intro},
            rows=[kit, kit.campaign],
            extra=[form_class.__name__],
        )
    context = {"kit": kit, "campaign": kit.campaign, "form": form, "heading": heading, "intro": intro}
    return render(request, "bargaining/report.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a repeat of this form (double tap, Back) is not stored twice
def report_surveillance(request: HttpRequest, slug: str) -> HttpResponse:
    return _report(
        request,
        slug,
        SurveillanceReportForm,
        filing.file_surveillance,
        _("Report a monitoring tool"),
        _(
            "Tell us about one program that watches your work. No name, no account: your answers are only "
            "ever shown as totals of 5 or more reports."
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form
def report_pressure(request: HttpRequest, slug: str) -> HttpResponse:
    return _report(
        request,
        slug,
        PressureReportForm,
        filing.file_pressure,
        _("Report AI-usage pressure"),
        _(
            "AI-usage quotas, token counts and leaderboards: what is counted, how it is used, what people do "
            "about it. Answers are only ever shown as totals of 5 or more reports."
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    kit = _kit(slug)
    if not (kit.proposals_open and kit.campaign.has_key):
        return _closed(request, kit, _("The committee isn't taking proposals here at the moment."))
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with sentonce.remembered(request) as remember:
            filing.propose(kit, form.cleaned_data["demand"])
            remember(url := reverse("bargaining:thanks", args=[kit.slug]) + "?sent=proposal")
        return redirect(url)
    return render(
        request,
        "bargaining/propose.html",
        {"kit": kit, "campaign": kit.campaign, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a second tap finds its code used: it gets the first tap's answer instead
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    kit = _kit(slug)
    # The demands in the page's language when each has a current version (core/translations.py);
    # a ballot ranks the same rows whichever language it was cast in.
    demands, shown_as = translations.localize_together(kit.ballot_demands(), None, kit.campaign.language)
    if not kit.voting_open or not demands:
        return _closed(request, kit, _("The ballot isn't open at the moment."))
    if request.method == "POST":
        form = BallotForm(request.POST, demands=demands)
        if form.is_valid():
            try:
                with sentonce.remembered(request) as remember:
                    filing.cast_ballot(kit, form.cleaned_data["code"], form.ranking())
                    remember(url := reverse("bargaining:thanks", args=[kit.slug]) + "?sent=ballot")
            except filing.NotEligible as refused:
                form.add_error("code", refused.message)
            else:
                return redirect(url)
        status = 400
    else:
        form = BallotForm(initial={"code": request.GET.get("code", "")[:40]}, demands=demands)
        status = 200
    return render(
        request,
        "bargaining/vote.html",
        {"kit": kit, "campaign": kit.campaign, "form": form, "shown_as": shown_as},
        status=status,
    )


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    kit = _kit(slug)
    sent = request.GET.get("sent", "")
    return render(
        request,
        "bargaining/thanks.html",
        {"kit": kit, "campaign": kit.campaign, "sent": sent if sent in THANKS else "report"},
    )

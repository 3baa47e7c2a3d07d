"""Answering a survey: no JavaScript, no account, nothing kept but the packed answers,
the day, and sealed free text that is not linked to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from concerted.core import pagecache, sentonce, subjects
from concerted.core.ratelimit import public_post_limit
from concerted.invites import codes as invite_codes

from .. import answering
from ..forms import AnswerForm
from ..models import Survey


def _public_survey(slug: str) -> Survey:
    return subjects.by_slug(Survey, slug, hidden_status=Survey.Status.DRAFT)


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a repeat of this form (double tap, Back) is not stored twice
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    # The text in the page's language (core/translations.py); answers are the same rows.
    # Localizing reads the questions and options, so a blank GET served from the page
    # cache doesn't: a saved question or option bumps the campaign's public version,
    # which is in the cache key (surveys/apps.py).
    row = _public_survey(slug)
    accepting = row.accepting()
    status = 200
    invite_problem = ""
    written: list[tuple[str, str, bool]] = []
    if request.method == "POST" and accepting:
        survey = row.localized()
        form = AnswerForm(request.POST, survey=survey)
        if form.is_valid():
            closed, texts = form.answers()
            try:
                with sentonce.remembered(request) as remember:
                    answering.submit(
                        survey, closed, texts, form.cleaned_data.get("invite_code") or "", contact=form.contact()
                    )
                    remember(url := reverse("surveys:thanks", args=[row.slug]))
            except answering.InviteRefused as refused:
                form.add_error("invite_code", refused.message)
            else:
                return redirect(url)
        status = 400
    elif request.method == "POST":
        # Closed (by the committee, or its last day passed) while they were writing:
        # nothing is stored, and what they wrote is shown back to copy, not lost.
        survey = row.localized()
        form = AnswerForm(survey=survey)
        written = AnswerForm(request.POST, survey=survey).written()
    else:
        # An invite link (?code=...) only fills the field in: a GET never uses a code up.
        code = request.GET.get("code", "")[:40] if row.one_per_invite else ""
        if not code:
            return pagecache.form_page(
                request,
                "surveys/answer.html",
                lambda: _page(survey := row.localized(), AnswerForm(survey=survey), accepting),
                rows=[row, row.campaign],
                # Open, not yet open or past its last day: the days end at the installation's
                # midnight, which the cache key's UTC day doesn't follow.
                extra=[accepting, row.opens_later()],
            )
        survey = row.localized()
        form = AnswerForm(survey=survey, initial={"invite_code": invite_codes.prefill(code)} if code else None)
        if code and accepting:
            invite_problem = invite_codes.message_for(code)
    context = _page(survey, form, accepting, invite_problem)
    context["written"] = written
    return render(request, "surveys/answer.html", context, status=status)


def _page(survey: Survey, form: AnswerForm, accepting: bool, invite_problem: str = "") -> dict[str, Any]:
    return {
        "survey": survey,
        "campaign": survey.campaign,
        "form": form,
        "accepting": accepting,
        "opens_later": survey.opens_later(),
        "invite_problem": invite_problem,
    }


@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _public_survey(slug)  # the page shows none of the survey's text
    return render(request, "surveys/thanks.html", {"survey": survey, "campaign": survey.campaign})

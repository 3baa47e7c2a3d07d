"""Answering a survey: no JavaScript, no account, nothing kept but the packed answers,
the day, and sealed free text that is not linked to them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from concerted.core.ratelimit import public_post_limit

from .. import answering
from ..forms import AnswerForm
from ..models import Survey


def _public_survey(slug: str) -> Survey:
    return get_object_or_404(Survey.objects.select_related("campaign").exclude(status=Survey.Status.DRAFT), slug=slug)


@require_http_methods(["GET", "POST"])
@public_post_limit
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _public_survey(slug)
    accepting = survey.accepting()
    status = 200
    if request.method == "POST" and accepting:
        form = AnswerForm(request.POST, survey=survey)
        if form.is_valid():
            closed, texts = form.answers()
            answering.submit(survey, closed, texts)
            return redirect("surveys:thanks", survey.slug)
        status = 400
    else:
        form = AnswerForm(survey=survey)
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "campaign": survey.campaign, "form": form, "accepting": accepting},
        status=status,
    )


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _public_survey(slug)
    return render(request, "surveys/thanks.html", {"survey": survey, "campaign": survey.campaign})

"""Organizer pages for surveys: build, preview, publish, weight, read results, export."""

from __future__ import annotations

import csv
import io
import random
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm, records
from concerted.core.reveal import safe_cell
from concerted.core.text import in_sentence

from .. import ai_at_work, charts, releases, results
from .. import makeup as makeup_checks
from ..forms import AnswerForm, QuestionForm, SurveyForm
from ..models import SCALE_LABELS, FreeText, Option, Question, Survey

MAX_CROSS_CELLS = 60


def survey_for_organizer(request: HttpRequest, survey_id: uuid.UUID) -> Survey:
    return records.parent_for_organizer(request, Survey, survey_id)


def _question_for_organizer(request: HttpRequest, question_id: int) -> Question:
    question = Question.objects.filter(pk=question_id).select_related("survey__campaign").first()
    if question is None:
        raise Http404
    campaign_for_organizer(request, question.survey.campaign_id)
    return question


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    if request.method == "POST" and request.POST.get("template") == ai_at_work.TEMPLATE:
        survey = ai_at_work.create(campaign)
        messages.success(request, _("“AI at work” added as a draft. Review the questions, then publish."))
        return redirect("surveys:builder", survey.pk)
    form = SurveyForm(request.POST or None, instance=Survey(campaign=campaign))
    if request.method == "POST" and form.is_valid():
        survey = form.save()
        messages.success(request, _("Survey saved as a draft. Add questions, preview, then publish."))
        return redirect("surveys:builder", survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "campaign": campaign, "template": ai_at_work.TEMPLATE},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_edit(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Survey saved."))
        return redirect("surveys:builder", survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "campaign": survey.campaign, "survey": survey},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def builder(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    return _render_builder(request, survey, QuestionForm())


def _render_builder(request: HttpRequest, survey: Survey, form: QuestionForm, status: int = 200) -> HttpResponse:
    context = {
        "survey": survey,
        "campaign": survey.campaign,
        "questions": survey.ordered_questions(),
        "form": form,
        "responses": released.data["total"] if (released := results.latest(survey)) else None,
        "cells_warning": _cells_warning(survey),
    }
    return render(request, "surveys/builder.html", context, status=status)


def _cells_warning(survey: Survey) -> str:
    seg = results.segment_questions(survey)
    if not seg:
        return ""
    combos = 1
    for q in seg:
        combos *= len(q.option_list())
    unit = survey.campaign.unit_size
    if unit and combos * 5 > unit:
        return _(
            "Your segment questions split the unit into %(c)s combinations, about %(avg).1f people each. "
            "A response whose combination is rare can be traced to its author by anyone who sees the data: "
            "drop a segment question or use fewer options."
        ) % {"c": combos, "avg": unit / combos}
    return ""


def _save_question(form: QuestionForm, survey: Survey) -> Question | None:
    labels = form.option_labels()
    question: Question = form.save(commit=False)
    if question.kind == Question.Kind.SCALE:
        labels = [str(label) for label in SCALE_LABELS]
    if question.segment and not labels:
        labels = [s.label for s in survey.campaign.segments.filter(kind=question.segment)]
        if len(labels) < 2:
            form.add_error(
                "options_text",
                _("This campaign has no %(kind)s groups yet: type the options, one per line.")
                % {"kind": in_sentence(question.get_segment_display())},
            )
            return None
    if not question.has_options:
        labels = []
    with transaction.atomic():
        question.survey = survey
        if question.pk is None:
            question.position = (max((q.position for q in survey.ordered_questions()), default=-1)) + 1
        question.save()
        question.options.all().delete()
        Option.objects.bulk_create(Option(question=question, position=i, label=lab) for i, lab in enumerate(labels))
    survey.forget_questions()
    return question


def _locked(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    if survey.locked:
        messages.error(request, _("Questions are locked once the survey is published, so every answer means the same."))
        return redirect("surveys:builder", survey.pk)
    return None


@login_required
@require_POST
def question_add(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    if (locked := _locked(request, survey)) is not None:
        return locked
    form = QuestionForm(request.POST, survey=survey)
    if form.is_valid() and _save_question(form, survey):
        messages.success(request, _("Question added."))
        return redirect("surveys:builder", survey.pk)
    return _render_builder(request, survey, form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_for_organizer(request, question_id)
    survey = question.survey
    if (locked := _locked(request, survey)) is not None:
        return locked
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid() and _save_question(form, survey):
        messages.success(request, _("Question saved."))
        return redirect("surveys:builder", survey.pk)
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "survey": survey, "campaign": survey.campaign, "question": question},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_for_organizer(request, question_id)
    survey = question.survey
    if (locked := _locked(request, survey)) is not None:
        return locked
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Delete this question?"),
            consequences=[_("The question and its choices are deleted; you would have to write it again.")],
            confirm_label=_("Yes, delete the question"),
            cancel_url=reverse("surveys:builder", args=[survey.pk]),
            context={"campaign": survey.campaign},
        )
    question.delete()
    messages.success(request, _("Question removed."))
    return redirect("surveys:builder", survey.pk)


@login_required
@require_POST
def question_move(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_for_organizer(request, question_id)
    survey = question.survey
    if (locked := _locked(request, survey)) is not None:
        return locked
    questions = survey.ordered_questions()
    i = questions.index(next(q for q in questions if q.pk == question.pk))
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(questions):
        questions[i], questions[j] = questions[j], questions[i]
        for pos, q in enumerate(questions):
            Question.objects.filter(pk=q.pk).update(position=pos)
    return redirect("surveys:builder", survey.pk)


@login_required
@require_safe
def preview(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "campaign": survey.campaign, "form": AnswerForm(survey=survey), "preview": True},
    )


@login_required
@require_POST
def set_status(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    status = request.POST.get("status", "")
    if status not in Survey.Status.values or status == Survey.Status.DRAFT:
        messages.error(request, _("Unknown status."))
    elif status == Survey.Status.PUBLISHED and not survey.campaign.has_key:
        messages.error(request, _("Add the committee public key before publishing: free text is sealed to it."))
    elif status == Survey.Status.PUBLISHED and not survey.ordered_questions():
        messages.error(request, _("Add at least one question before publishing."))
    elif survey.status == Survey.Status.DRAFT and not confirm.confirmed(request):
        return confirm.ask_to_open(
            request,
            title=_("Publish this survey?"),
            fixed=_(
                "Its questions, choices and anonymity thresholds are fixed from then on, in every language, as "
                "people answer them."
            ),
            confirm_label=_("Yes, publish it"),
            cancel_url=reverse("surveys:builder", args=[survey.pk]),
            preview_url=reverse("surveys:preview", args=[survey.pk]),
            context={"campaign": survey.campaign},
        )
    else:
        survey.status = status
        survey.save(update_fields=["status"])
        if status == Survey.Status.PUBLISHED:
            messages.success(request, _("Published. Questions and anonymity thresholds are now locked."))
        else:
            messages.success(request, _("Survey closed: it no longer takes answers."))
    return redirect("surveys:builder", survey.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def makeup(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """The unit's known make-up per segment question (margins) and, if known, the full
    cross-table. Used only to weight results; never shown to participants."""
    survey = survey_for_organizer(request, survey_id)
    seg = results.segment_questions(survey)
    current = survey.makeup or {}
    margins_now = current.get("marginals") or {}
    cells_now = current.get("cells") or {}
    combos: list[tuple[str, str]] = []
    total = 1
    for q in seg:
        total *= len(q.option_list())
    if seg and total <= MAX_CROSS_CELLS:
        import itertools

        for combo in itertools.product(*[list(enumerate(q.option_list())) for q in seg]):
            key = ",".join(str(i) for i, _o in combo)
            combos.append((key, " · ".join(o.label for _i, o in combo)))
    checked: makeup_checks.Checked | None = None
    unit = survey.campaign.unit_size
    if request.method == "POST":
        checked = makeup_checks.read(request.POST, seg, combos, unit)
        if checked.ok:
            survey.makeup = checked.makeup
            survey.save(update_fields=["makeup"])
            messages.success(request, _("Unit make-up saved. Results are weighted to it from the next release."))
            if warning := makeup_checks.unit_size_warning(checked.total, unit):
                messages.warning(request, warning)
            return redirect("surveys:results", survey.pk)
        # Everything typed comes back, as typed.
        margins_now = {
            str(q.pk): {str(i): request.POST.get(f"m_{q.pk}_{i}", "") for i in range(len(q.option_list()))} for q in seg
        }
        cells_now = {key: request.POST.get(f"c_{key}", "") for key, _label in combos}
    invalid = checked.invalid if checked else set()
    rows = [
        (
            q,
            [
                (i, o.label, (margins_now.get(str(q.pk)) or {}).get(str(i), ""), f"m_{q.pk}_{i}" in invalid)
                for i, o in enumerate(q.option_list())
            ],
        )
        for q in seg
    ]
    return render(
        request,
        "surveys/makeup.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "rows": rows,
            "combos": [(key, label, cells_now.get(key, ""), f"c_{key}" in invalid) for key, label in combos],
            "problems": checked.problems if checked else [],
            "unit_warning": ""
            if checked
            else makeup_checks.unit_size_warning(makeup_checks.saved_total(current), unit),
        },
        status=400 if checked and not checked.ok else 200,
    )


def _view(request: HttpRequest) -> str:
    return request.GET.get("view", "")[:40] or results.EVERYONE


@login_required
@require_safe
def results_page(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Reads the stored release only: nothing here is counted from the responses, so the
    page changes only when the organizer makes a release."""
    survey = survey_for_organizer(request, survey_id)
    view = _view(request)
    res = results.compute(survey, view)
    blocks = [(qr, charts.bar_chart(qr, res.show_intervals) if qr.rows else "") for qr in res.questions]
    comparison = [qr for qr in res.questions if qr.has_national]
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "res": res,
            "blocks": blocks,
            "comparison": comparison,
            "source": ai_at_work.SOURCE,
            "wording_note": ai_at_work.WORDING_NOTE,
            "query": request.GET.urlencode(),
        },
        status=400 if res.refused and res.release and view not in {v.key for v in res.views} else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def release(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """GET: whether a release can be made now. POST: make it."""
    survey = survey_for_organizer(request, survey_id)
    if request.method == "POST":
        try:
            made = releases.make(survey)
        except releases.NotReady as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Release %(n)s made: results, CSV and brief now show it.") % {"n": made.number})
        return redirect("surveys:results", survey.pk)
    ready, why = releases.readiness(survey)
    return render(
        request,
        "surveys/release.html",
        {"survey": survey, "campaign": survey.campaign, "ready": ready, "why": why, "last": results.latest(survey)},
    )


@login_required
@require_safe
def results_csv(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Aggregate tables of the latest release only: one line per option. Never a response."""
    survey = survey_for_organizer(request, survey_id)
    res = results.compute(survey, _view(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "survey",
            "release",
            "view",
            "question",
            "option",
            "count",
            "percent_unweighted",
            "percent_weighted",
            "ci95_low",
            "ci95_high",
            "answered",
            "national_percent",
            "national_ci95_low",
            "national_ci95_high",
            "weighting",
            "design",
            "hidden_because",
            "note",
        ]
    )
    method = res.weighting.method if res.weighted and res.weighting else "none"
    release_label = str(res.release.number) if res.release else ""
    view_label = res.view_label or _("Everyone")

    def fmt(x: float | None) -> str:
        return "" if x is None else f"{x:.1f}"

    def line(
        question: str,
        option: str,
        count: str,
        pct: str,
        wpct: str,
        low: str,
        high: str,
        n: str,
        nat: tuple[str, str, str],
        why: str,
        note: str,
    ) -> None:
        writer.writerow(
            [
                safe_cell(v)
                for v in [
                    survey.title,
                    release_label,
                    view_label,
                    question,
                    option,
                    count,
                    pct,
                    wpct,
                    low,
                    high,
                    n,
                    *nat,
                    method,
                    survey.design,
                    why,
                    note,
                ]
            ]
        )

    if res.release is None:
        line("", "", "", "", "", "", "", "", ("", "", ""), "", _("No results released yet."))
    elif res.refused or res.n is None:
        line("", "", "", "", "", "", "", "", ("", "", ""), "", res.refused or "")
    if res.no_code is not None:
        line("", "", "", "", "", "", "", "", ("", "", ""), "", no_code_warning(res.no_code))
    if res.weighting_withheld:
        line("", "", "", "", "", "", "", "", ("", "", ""), "", res.withheld_message)
    if res.weighting and res.weighting.dropped_labels:
        line("", "", "", "", "", "", "", "", ("", "", ""), "", res.dropped_message)
    for qr in res.questions:
        n = "" if qr.n is None else str(qr.n)
        for r in qr.rows:
            nat = r.national
            line(
                qr.question.text,
                r.label,
                "" if r.count is None else str(r.count),
                fmt(r.percent),
                fmt(r.weighted_percent),
                fmt(r.ci_low),
                fmt(r.ci_high),
                n,
                (
                    fmt(nat.percent if nat else None),
                    fmt(nat.ci_low if nat else None),
                    fmt(nat.ci_high if nat else None),
                ),
                str(results.hidden_meaning(r.reason, res.k)) if r.hidden else "",
                qr.note,
            )
        if not qr.rows and qr.question.kind != Question.Kind.TEXT:
            s = qr.summary
            line(
                qr.question.text,
                _("median") if s else "",
                fmt(s.get("median")) if s else "",
                "",
                "",
                "",
                "",
                n,
                ("", "", ""),
                "",
                qr.note,
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-results.csv"'
    return response


def no_code_warning(n: int) -> str:
    return results.no_code_warning(n)


@session_or_token
@require_safe
def export_json(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Sealed free text for `concerted reveal --survey ID`. Empty until the survey has
    `min_free_text` respondents; records carry no day, no segment, and come shuffled."""
    survey = survey_for_organizer(request, survey_id)
    respondents = survey.responses.count()
    threshold = max(survey.min_free_text, 10)
    records_out: list[dict[str, object]] = []
    if respondents >= threshold:
        rows = list(FreeText.objects.filter(survey=survey).values_list("id", "sealed"))
        random.SystemRandom().shuffle(rows)
        records_out = [{"id": str(pk), "sealed": sealed} for pk, sealed in rows]
    return records.export_response(
        model=FreeText,
        campaign=survey.campaign,
        parent={
            "id": str(survey.pk),
            "slug": survey.slug,
            "title": survey.title,
            "respondents": respondents if respondents >= survey.min_group else None,
            "free_text_threshold": threshold,
            "withheld": respondents < threshold,
        },
        records=records_out,
        filename=f"survey-{survey.slug}-sealed.json",
    )


@login_required
@require_safe
def freetext(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Decrypts in the browser: the page fetches the sealed export and opens it with a
    key the organizer loads from their own disk. The key never leaves the page."""
    survey = survey_for_organizer(request, survey_id)
    threshold = max(survey.min_free_text, 10)
    response = render(
        request,
        "surveys/freetext.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "threshold": threshold,
            "withheld": survey.responses.count() < threshold,
        },
    )
    # libsodium's WebAssembly needs this; still no inline script and no other origin.
    response["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response

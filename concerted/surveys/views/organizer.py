"""Organizer pages for surveys: build, preview, publish, weight, read results, export."""

from __future__ import annotations

import csv
import io
import random
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerted.accounts.auth import session_or_token
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm, export
from concerted.core.reveal import safe_cell

from .. import ai_at_work, charts, results
from ..forms import AnswerForm, QuestionForm, SurveyForm
from ..models import FREE_TEXT_KIND, SCALE_LABELS, FreeText, Option, Question, Survey

MAX_CROSS_CELLS = 60


def survey_for_organizer(request: HttpRequest, survey_id: uuid.UUID) -> Survey:
    survey = Survey.objects.filter(pk=survey_id).select_related("campaign").first()
    if survey is None:
        raise Http404
    campaign_for_organizer(request, survey.campaign_id)
    return survey


def _question_for_organizer(request: HttpRequest, question_id: int) -> Question:
    question = Question.objects.filter(pk=question_id).select_related("survey__campaign").first()
    if question is None:
        raise Http404
    campaign_for_organizer(request, question.survey.campaign_id)
    return question


@login_required
@require_http_methods(["GET", "POST"])
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
@require_http_methods(["GET", "POST"])
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
@require_GET
def builder(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    return _render_builder(request, survey, QuestionForm())


def _render_builder(request: HttpRequest, survey: Survey, form: QuestionForm, status: int = 200) -> HttpResponse:
    context = {
        "survey": survey,
        "campaign": survey.campaign,
        "questions": survey.ordered_questions(),
        "form": form,
        "responses": survey.responses.count(),
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
                % {"kind": question.get_segment_display().lower()},
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
    form = QuestionForm(request.POST)
    if form.is_valid() and _save_question(form, survey):
        messages.success(request, _("Question added."))
        return redirect("surveys:builder", survey.pk)
    return _render_builder(request, survey, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
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
@require_GET
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
    else:
        survey.status = status
        survey.save(update_fields=["status"])
        if status == Survey.Status.PUBLISHED:
            messages.success(request, _("Published. Questions and anonymity thresholds are now locked."))
        else:
            messages.success(request, _("Survey closed: it no longer takes answers."))
    return redirect("surveys:builder", survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
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
    errors: list[str] = []
    if request.method == "POST":
        marginals: dict[str, dict[str, int]] = {}
        for q in seg:
            values = {}
            for i, _o in enumerate(q.option_list()):
                raw = request.POST.get(f"m_{q.pk}_{i}", "").strip()
                if raw:
                    if not raw.isdigit():
                        errors.append(_("Counts are whole numbers (0 or more)."))
                        continue
                    values[str(i)] = int(raw)
            if values and sum(values.values()) > 0:
                marginals[str(q.pk)] = values
        cells: dict[str, int] = {}
        for key, _label in combos:
            raw = request.POST.get(f"c_{key}", "").strip()
            if raw:
                if not raw.isdigit():
                    errors.append(_("Counts are whole numbers (0 or more)."))
                    continue
                cells[key] = int(raw)
        if cells and len(cells) != len(combos):
            errors.append(_("Fill every cell of the cross-table, or none: a partial table can't be used."))
        if not errors:
            survey.makeup = {
                "marginals": marginals,
                "cells": cells,
                "cell_questions": [q.pk for q in seg] if cells else [],
            }
            survey.save(update_fields=["makeup"])
            messages.success(request, _("Unit make-up saved. Results are weighted to it."))
            return redirect("surveys:results", survey.pk)
        margins_now = {
            str(q.pk): {str(i): request.POST.get(f"m_{q.pk}_{i}", "") for i in range(len(q.option_list()))} for q in seg
        }
        cells_now = {key: request.POST.get(f"c_{key}", "") for key, _label in combos}
    rows = [
        (q, [(i, o.label, (margins_now.get(str(q.pk)) or {}).get(str(i), "")) for i, o in enumerate(q.option_list())])
        for q in seg
    ]
    return render(
        request,
        "surveys/makeup.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "rows": rows,
            "combos": [(key, label, cells_now.get(key, "")) for key, label in combos],
            "errors": sorted(set(errors)),
        },
        status=400 if errors else 200,
    )


def _filters(request: HttpRequest, survey: Survey) -> tuple[dict[int, int], list[str]]:
    filters: dict[int, int] = {}
    problems: list[str] = []
    for q in results.segment_questions(survey):
        raw = request.GET.get(f"f{q.pk}", "")
        if raw == "":
            continue
        if not raw.isdigit() or int(raw) >= len(q.option_list()):
            problems.append(_("Unknown filter value."))
            continue
        filters[q.pk] = int(raw)
    if len(filters) > results.MAX_FILTERS:
        problems.append(_("At most %(n)s filters at once.") % {"n": results.MAX_FILTERS})
    return filters, problems


@login_required
@require_GET
def results_page(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = survey_for_organizer(request, survey_id)
    filters, problems = _filters(request, survey)
    res = results.compute(survey, filters if not problems else {})
    if problems:
        res.refused = " ".join(sorted(set(problems)))
    seg = results.segment_questions(survey)
    filter_fields = [
        (q, [(str(i), o.label) for i, o in enumerate(q.option_list())], request.GET.get(f"f{q.pk}", "")) for q in seg
    ]
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
            "filter_fields": filter_fields,
            "query": request.GET.urlencode(),
        },
        status=400 if problems else 200,
    )


@login_required
@require_GET
def results_csv(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Aggregate tables only: one line per option, suppression applied. Never a response."""
    survey = survey_for_organizer(request, survey_id)
    filters, problems = _filters(request, survey)
    if problems:
        return HttpResponse(" ".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8")
    res = results.compute(survey, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "survey",
            "question",
            "option",
            "count",
            "percent",
            "ci95_low",
            "ci95_high",
            "answered",
            "national_percent",
            "national_ci95_low",
            "national_ci95_high",
            "weighting",
            "design",
            "filter",
            "note",
        ]
    )
    filter_label = "; ".join(
        f"{q.text} = {q.option_list()[filters[q.pk]].label}"
        for q in results.segment_questions(survey)
        if q.pk in filters
    )
    method = res.weighting.method if res.weighting else "none"

    def fmt(x: float | None) -> str:
        return "" if x is None else f"{x:.1f}"

    if res.refused or res.n is None:
        writer.writerow(
            [
                survey.title,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                method,
                survey.design,
                filter_label,
                res.refused or _("Fewer than %(k)s respondents: nothing is shown.") % {"k": res.k},
            ]
        )
    for qr in res.questions:
        for r in qr.rows:
            nat = r.national
            writer.writerow(
                [
                    safe_cell(v)
                    for v in [
                        survey.title,
                        qr.question.text,
                        r.label,
                        "" if r.count is None else r.count,
                        fmt(r.percent),
                        fmt(r.ci_low),
                        fmt(r.ci_high),
                        "" if qr.n is None else qr.n,
                        fmt(nat.percent if nat else None),
                        fmt(nat.ci_low if nat else None),
                        fmt(nat.ci_high if nat else None),
                        method,
                        survey.design,
                        filter_label,
                        qr.note,
                    ]
                ]
            )
        if not qr.rows and qr.question.kind != Question.Kind.TEXT:
            s = qr.summary
            writer.writerow(
                [
                    safe_cell(v)
                    for v in [
                        survey.title,
                        qr.question.text,
                        _("median") if s else "",
                        fmt(s.get("median")) if s else "",
                        "",
                        "",
                        "",
                        "" if qr.n is None else qr.n,
                        "",
                        "",
                        "",
                        method,
                        survey.design,
                        filter_label,
                        qr.note,
                    ]
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-results.csv"'
    return response


@session_or_token
@require_GET
def export_json(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    """Sealed free text for `concerted reveal --survey ID`. Empty until the survey has
    `min_free_text` respondents; records carry no day, no segment, and come shuffled."""
    survey = survey_for_organizer(request, survey_id)
    respondents = survey.responses.count()
    threshold = max(survey.min_free_text, 10)
    records: list[dict[str, object]] = []
    if respondents >= threshold:
        rows = list(FreeText.objects.filter(survey=survey).values_list("id", "sealed"))
        random.SystemRandom().shuffle(rows)
        records = [{"id": str(pk), "sealed": sealed} for pk, sealed in rows]
    data = export.build(
        kind=FREE_TEXT_KIND,
        campaign=survey.campaign,
        parent_field="survey",
        parent={
            "id": str(survey.pk),
            "slug": survey.slug,
            "title": survey.title,
            "respondents": respondents if respondents >= survey.min_group else None,
            "free_text_threshold": threshold,
            "withheld": respondents < threshold,
        },
        records=records,
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-sealed.json"'
    return response


@login_required
@require_GET
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

"""Survey figures for other apps (the bargaining kit), suppression already applied.

`brief_rows(campaign)` is a stable interface: keep its signature and row keys."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign

from . import results
from .models import Question, Survey


def brief_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """One row per option of each closed question of each published or closed survey.

    {"survey", "question", "option", "count", "percent", "ci_low", "ci_high", "n", "note"};
    count/percent are None where hidden (fewer than 5, or hidden with a small cell);
    ci_low/ci_high are None unless the survey is a probability sample. n is the number
    who answered the question (None when hidden). Percentages are 0-100, weighted when
    the survey is weighted to the unit's make-up."""
    rows: list[dict[str, Any]] = []
    surveys = Survey.objects.filter(campaign=campaign).exclude(status=Survey.Status.DRAFT).order_by("created", "title")
    for survey in surveys:
        res = results.compute(survey)
        if res.n is None:
            for question in survey.ordered_questions():
                if question.has_options:
                    for option in question.option_list():
                        rows.append(
                            _row(
                                survey,
                                question,
                                option.label,
                                None,
                                None,
                                None,
                                None,
                                None,
                                _("Fewer than %(k)s respondents: nothing is shown.") % {"k": res.k},
                            )
                        )
            continue
        for qr in res.questions:
            if not qr.question.has_options:
                continue
            note = qr.note or res.design_note
            if not qr.rows:
                for option in qr.question.option_list():
                    rows.append(_row(survey, qr.question, option.label, None, None, None, None, None, note))
                continue
            for r in qr.rows:
                rows.append(_row(survey, qr.question, r.label, r.count, r.percent, r.ci_low, r.ci_high, qr.n, note))
    return rows


def _row(
    survey: Survey,
    question: Question,
    option: str,
    count: int | None,
    percent: float | None,
    ci_low: float | None,
    ci_high: float | None,
    n: int | None,
    note: str,
) -> dict[str, Any]:
    return {
        "survey": survey.title,
        "question": question.text,
        "option": option,
        "count": count,
        "percent": None if percent is None else round(percent, 1),
        "ci_low": None if ci_low is None else round(ci_low, 1),
        "ci_high": None if ci_high is None else round(ci_high, 1),
        "n": n,
        "note": str(note),
    }

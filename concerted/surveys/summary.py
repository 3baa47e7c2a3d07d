"""Survey figures for other apps (the bargaining kit), read from the latest release.

`brief_rows(campaign)` is a stable interface: keep its signature and row keys."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign

from . import results
from .models import Question, Survey


def brief_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """One row per option of each closed question of each published or closed survey,
    as its latest release shows it to everyone (never a group view).

    {"survey", "question", "option", "count", "percent", "ci_low", "ci_high", "n", "note"},
    and also "weighted_percent", "hidden" (why a count is hidden, in words; "" when
    shown), "hidden_reason" ("small", "cover", "group" or ""), "release" (its number, None before the first) and "no_code" (responses
    taken without an invite code, None when codes were required). count/percent are
    None where hidden. `percent` is the unweighted share of those who answered;
    `weighted_percent` is the share weighted to the unit's make-up (None unless
    weighted). ci_low/ci_high are None unless the survey is a probability sample."""
    rows: list[dict[str, Any]] = []
    surveys = Survey.objects.filter(campaign=campaign).exclude(status=Survey.Status.DRAFT).order_by("created", "title")
    for survey in surveys:
        res = results.compute(survey)
        number = res.release.number if res.release else None
        if res.n is None:
            note = _("No results released yet.") if res.release is None else str(res.refused or "")
            for question in survey.ordered_questions():
                if question.has_options:
                    for option in question.option_list():
                        rows.append(_row(survey, question, option.label, None, None, None, None, None, note))
                        rows[-1] |= {"release": number, "no_code": res.no_code, "hidden": note}
            continue
        for qr in res.questions:
            if not qr.question.has_options:
                continue
            note = qr.note or res.design_note
            for r in qr.rows:
                rows.append(_row(survey, qr.question, r.label, r.count, r.percent, r.ci_low, r.ci_high, qr.n, note))
                rows[-1] |= {
                    "weighted_percent": None if r.weighted_percent is None else round(r.weighted_percent, 1),
                    "hidden": str(results.hidden_meaning(r.reason, res.k)) if r.hidden else "",
                    "hidden_reason": r.reason if r.hidden else "",
                    "release": number,
                    "no_code": res.no_code,
                }
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
        "weighted_percent": None,
        "hidden": "",
        "hidden_reason": "",
        "release": None,
        "no_code": None,
    }

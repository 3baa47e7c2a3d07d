"""Turning a release's audited figures into what pages, the CSV and the brief show.

Only figures the audit left shown are used: counts, and what is computed from them
(percentages of those who answered, Wilson intervals). Extra figures that are not plain
counts are kept to the everyone view, where they break nothing down by group: weighted
percentages, the mean of a number question, average ranks, free-text counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import stats
from .disclosure import EVERYONE
from .models import Question
from .results import NATIONAL_N, Matrix, _tally, answered, segment_questions, weights_for

if TYPE_CHECKING:
    from .releases import Layout

Figures = dict[str, dict[str, dict[str, Any]]]


def _members_mask(layout: Layout, view: str) -> np.ndarray:
    return layout.members[view][layout.combo_of]


def present(
    matrix: Matrix,
    layout: Layout,
    cells: Figures,
    reasons: dict[str, dict[str, dict[str, str]]],
    shown_views: set[str],
    k: int,
) -> dict[str, Any]:
    survey = matrix.survey
    weighting = weights_for(matrix) if matrix.n else None
    weighted = weighting is not None and weighting.method != "none"
    weights = weighting.weights if weighting is not None else np.ones(matrix.n)
    # A group not shown in this release means no weighted figure at all. The weights come
    # from the make-up and the group sizes, so a weighted share is the groups' own shares
    # mixed in known proportions: with every other group's figures shown, it gives the
    # hidden group's answers away (its size too, through the design effect). Said once,
    # for the release, instead of under every question (docs/SURVEYS.md, "Weighting").
    withheld = weighted and any(view not in shown_views for view in layout.views)
    show_intervals = survey.design == survey.Design.PROBABILITY
    free = _free_text_counts(survey) if matrix.n >= max(survey.min_free_text, 10) else {}
    views: dict[str, Any] = {}
    labels: dict[str, str] = {EVERYONE: ""}
    for q in layout.seg:
        for v, option in enumerate(q.option_list()):
            labels[f"{q.pk}={v}"] = f"{q.text} = {option.label}"
    for view in layout.views:
        if view not in shown_views:
            views[view] = {"n": None, "label": labels[view], "questions": []}
            continue
        mask = _members_mask(layout, view)
        everyone = view == EVERYONE
        questions = []
        for q in survey.ordered_questions():
            questions.append(
                _question(
                    matrix,
                    layout,
                    q,
                    view,
                    mask,
                    cells,
                    reasons,
                    weights if (everyone and weighted and not withheld) else None,
                    show_intervals,
                    free if everyone else None,
                    k,
                )
            )
        views[view] = {"n": int(np.count_nonzero(mask)), "label": labels[view], "questions": questions}
    return {
        "views": views,
        "order": layout.views,
        "total": matrix.n,
        "weighting": None if not weighted else _weighting(weighting, withheld),
        "no_code": None if survey.one_per_invite else matrix.n,
        "design": survey.design,
    }


def _weighting(weighting: stats.Weights, withheld: bool) -> dict[str, Any]:
    dropped = [list(group) for group in weighting.dropped]
    if withheld:
        return {"method": weighting.method, "deff": None, "n_eff": None, "withheld": True, "dropped": dropped}
    return {
        "method": weighting.method,
        "deff": weighting.deff,
        "n_eff": weighting.n_eff,
        "note": weighting.note,
        "dropped": dropped,
    }


def _free_text_counts(survey: Any) -> dict[int, int]:
    from django.db.models import Count

    rows = survey.free_texts.values("question_id").annotate(n=Count("id"))
    return {r["question_id"]: r["n"] for r in rows}


def _fully_shown(cells: Figures, families: list[str]) -> bool:
    return all(v is not None for f in families for view in cells.get(f, {}).values() for v in view.values())


def _cell(cells: Figures, family: str, view: str, key: str) -> int | None:
    return cells.get(family, {}).get(view, {}).get(key)


def _reason(reasons: dict[str, dict[str, dict[str, str]]], family: str, view: str, key: str) -> str:
    return reasons.get(family, {}).get(view, {}).get(key, "")


def _question(
    matrix: Matrix,
    layout: Layout,
    q: Question,
    view: str,
    mask: np.ndarray,
    cells: Figures,
    reasons: dict[str, dict[str, dict[str, str]]],
    weights: np.ndarray | None,
    show_intervals: bool,
    free: dict[int, int] | None,
    k: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {"question": q.pk, "n": None, "rows": [], "summary": {}, "notes": [], "free_text": None}
    n_view = int(np.count_nonzero(mask))
    if q.kind == Question.Kind.TEXT:
        if free is None:
            out["notes"].append("text_by_group")
        elif not free and matrix.n < max(matrix.survey.min_free_text, 10):
            out["notes"].append("text_wait")
        else:
            n_text = free.get(q.pk, 0)
            out["free_text"] = n_text if n_text >= k else None
            out["notes"].append("text_sealed")
        return out
    is_segment = q in segment_questions(matrix.survey)
    if is_segment and view != EVERYONE and view.split("=")[0] == str(q.pk):
        out["notes"].append("own_group")
        return out
    if is_segment:
        family = "seg"
        key_of = {i: f"{q.pk}:{i}" for i in range(len(q.option_list()))}
        missing_key = f"{q.pk}:-"
    elif q.kind == Question.Kind.MULTI:
        family = f"{q.pk}.0"
        key_of = {}
        missing_key = "-"
    elif q.kind == Question.Kind.NUMBER:
        family = str(q.pk)
        key_of = {}
        missing_key = "-"
    else:
        family = str(q.pk)
        key_of = {i: str(i) for i in range(len(q.option_list()))}
        missing_key = "-"
    missing = _cell(cells, family, view, missing_key)
    n_ans = None if missing is None else n_view - missing
    out["n"] = n_ans
    if missing is None:
        out["notes"].append("answered_hidden")
    ans = answered(matrix, q) & mask
    if q.kind == Question.Kind.NUMBER:
        if n_ans is not None and n_ans >= k:
            vals = matrix.column(q)[ans, 0].astype(float)
            q1, median, q3 = np.percentile(vals, [25, 50, 75])
            out["summary"] = {"median": float(median), "q1": float(q1), "q3": float(q3)}
            if view == EVERYONE:
                out["summary"]["mean"] = float(vals.mean())
            out["notes"].append("number_extremes")
        elif n_ans is not None:
            out["notes"].append("number_few")
        return out
    options = q.option_list()
    if weights is not None and not _fully_shown(
        cells, [f"{q.pk}.{j}" for j in range(len(options))] if q.kind == Question.Kind.MULTI else [family]
    ):
        # A weighted share is one more equation over the groups (the weights are known from
        # the make-up); the solver doesn't model it, so it shows only where every count of
        # this question, in every view, is shown anyway.
        weights = None
        out["notes"].append("weighted_hidden")
    counts_true, wsums = _tally(matrix, q, ans, weights)
    wshares = None
    n_eff = None
    if weights is not None and wsums is not None:
        ww = np.where(ans, weights, 0.0)
        total_w = ww.sum()
        if total_w > 0:
            wshares = wsums / total_w
            n_eff = float(total_w**2 / np.square(ww).sum())
    out["n_eff"] = n_eff
    rows = []
    for j, option in enumerate(options):
        if q.kind == Question.Kind.MULTI:
            fam_j = f"{q.pk}.{j}"
            count = _cell(cells, fam_j, view, "yes")
            reason = _reason(reasons, fam_j, view, "yes")
        else:
            count = _cell(cells, family, view, key_of[j])
            reason = _reason(reasons, family, view, key_of[j])
        row: dict[str, Any] = {"label": option.label, "count": count, "reason": reason if count is None else ""}
        if count is not None and n_ans:
            row["percent"] = 100.0 * count / n_ans
            if show_intervals and wshares is None:
                low, high = stats.wilson(count, n_ans)
                row["ci_low"], row["ci_high"] = float(low) * 100, float(high) * 100
        if count is not None and wshares is not None:
            row["weighted_percent"] = float(wshares[j]) * 100
            if show_intervals and n_eff:
                low, high = stats.logit_interval(np.array([wshares[j]]), n_eff)
                row["ci_low"], row["ci_high"] = float(low[0]) * 100, float(high[0]) * 100
        if option.national_percent is not None:
            p = option.national_percent / 100
            nl, nh = stats.wilson(round(p * NATIONAL_N), NATIONAL_N)
            row["national"] = {
                "percent": option.national_percent,
                "ci_low": float(nl) * 100,
                "ci_high": float(nh) * 100,
            }
        if q.kind == Question.Kind.RANK and view == EVERYONE:
            ranks = matrix.column(q)[ans, j]
            ranked = ranks > 0
            if ranked.sum() >= k:
                row["mean_rank"] = float(ranks[ranked].mean())
        rows.append(row)
    out["rows"] = rows
    del counts_true
    return out

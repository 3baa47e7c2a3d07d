"""Results computed from packed response rows, never from anything sealed.

Anonymity rules applied here (docs/SURVEYS.md explains them):
1. No number for a group smaller than the survey's `min_group` (at least 5): the
   respondent count, a question's answer count, and every option cell.
2. A hidden cell takes the next-smallest cell with it (core.kanon.suppress), and the
   "no answer" count is a cell too, so nothing is recovered by subtraction.
3. Filtered views (by segment questions only) are refused when they could isolate
   fewer than `min_group` people by differencing with any wider view; see `refusal()`.
4. Inside an allowed filtered view, a question is hidden if subtracting it from any
   wider view would leave a cell of 1 to min_group-1 people."""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from concerted.core.kanon import suppress

from . import stats
from .models import MISSING, Question, Response, Survey

NATIONAL_N = 1588  # AFL-CIO / David Binder Research, 14-22 April 2026
MAX_FILTERS = 3


# ---------------------------------------------------------------- loading


@dataclass
class Matrix:
    """All responses of a survey: one row each, one int32 column per slot."""

    survey: Survey
    values: np.ndarray  # (n, slots)
    layout: dict[int, tuple[int, int]]
    _weights: dict[str, stats.Weights] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def column(self, question: Question) -> np.ndarray:
        start, width = self.layout[question.pk]
        return self.values[:, start : start + width]


_cache: OrderedDict[tuple[object, ...], Matrix] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SURVEYS = 8


def load_cached(survey: Survey) -> Matrix:
    """`load`, remembered in this process while the survey's responses are unchanged.

    Responses are only ever added (or deleted with their survey), so the count and the
    sum of the random ids identify the set; the layout is part of the key for drafts."""
    agg = Response.objects.filter(survey=survey).aggregate(n=Count("id"), s=Sum("id"))
    key = (survey.pk, agg["n"], agg["s"] or 0, tuple(survey.layout().items()))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            hit.survey = survey
            return hit
    matrix = load(survey)
    with _cache_lock:
        for old in [k for k in _cache if k[0] == survey.pk]:
            del _cache[old]
        _cache[key] = matrix
        while len(_cache) > CACHE_SURVEYS:
            _cache.popitem(last=False)
    return matrix


def load(survey: Survey) -> Matrix:
    width = survey.slot_count()
    # A raw cursor: the ORM's per-row overhead triples the time for 100,000 rows.
    table = Response._meta.db_table
    column = connection.ops.quote_name("values")
    with connection.cursor() as cursor:
        survey_id = Survey._meta.pk.get_db_prep_value(survey.pk, connection)
        cursor.execute(f"SELECT {column} FROM {table} WHERE survey_id = %s", [survey_id])  # noqa: S608
        blobs = [row[0] for row in cursor.fetchall()]
    if width == 0:
        values = np.zeros((len(blobs), 0), dtype=np.int32)
    else:
        raw = b"".join(bytes(b) for b in blobs)
        # Column-major: every per-question pass reads one contiguous column.
        values = np.asfortranarray(np.frombuffer(raw, dtype="<i4").reshape(len(blobs), width))
    return Matrix(survey, values, survey.layout())


def from_array(survey: Survey, values: np.ndarray) -> Matrix:
    return Matrix(survey, np.asfortranarray(values, dtype=np.int32), survey.layout())


# ---------------------------------------------------------------- per-question counts


def segment_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.ordered_questions() if q.segment and q.kind == Question.Kind.SINGLE]


def answered(matrix: Matrix, question: Question) -> np.ndarray:
    cols = matrix.column(question)
    if cols.shape[1] == 0:
        return np.zeros(matrix.n, dtype=bool)
    return cols[:, 0] != MISSING


def _tally(
    matrix: Matrix, question: Question, selected: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-option counts (and weighted sums) among the selected respondents.

    bincount over whole contiguous columns (unselected rows go to a spare bin), never an
    (n x options) matrix or a boolean gather, so 100,000 responses stay fast."""
    k = len(question.option_list())
    cols = matrix.column(question)
    ww = None if w is None else np.where(selected, w, 0.0)
    if question.kind == Question.Kind.MULTI:
        col = np.where(selected, cols[:, 0], 0)
        counts = np.empty(k, dtype=int)
        sums = None if ww is None else np.empty(k)
        for j in range(k):
            bit = ((col >> j) & 1).astype(bool)
            counts[j] = np.count_nonzero(bit)
            if sums is not None:
                sums[j] = ww[bit].sum()
        return counts, sums
    if question.kind == Question.Kind.RANK:
        counts = np.empty(k, dtype=int)
        sums = None if ww is None else np.empty(k)
        for j in range(k):
            first = selected & (cols[:, j] == 1)
            counts[j] = np.count_nonzero(first)
            if sums is not None:
                sums[j] = ww[first].sum()
        return counts, sums
    vals = np.where(selected, cols[:, 0], k)
    counts = np.bincount(vals, minlength=k + 1)[:k].astype(int)
    return counts, (None if ww is None else np.bincount(vals, weights=ww, minlength=k + 1)[:k])


def cells(matrix: Matrix, question: Question, mask: np.ndarray) -> np.ndarray:
    """The counts a view of this question discloses, including "no answer"."""
    ans = answered(matrix, question) & mask
    n_ans = int(np.count_nonzero(ans))
    unanswered = int(np.count_nonzero(mask)) - n_ans
    if not question.has_options:
        return np.array([n_ans, unanswered])
    yes, _sums = _tally(matrix, question, ans, None)
    if question.kind == Question.Kind.MULTI:
        return np.concatenate([yes, n_ans - yes, [unanswered]])
    return np.concatenate([yes, [n_ans - int(yes.sum()), unanswered]])


# ---------------------------------------------------------------- filters and refusals

Filters = Mapping[int, int]  # segment question id -> option index


def mask_for(matrix: Matrix, filters: Filters) -> np.ndarray:
    mask = np.ones(matrix.n, dtype=bool)
    by_id = {q.pk: q for q in matrix.survey.ordered_questions()}
    for qid, value in filters.items():
        mask &= matrix.column(by_id[qid])[:, 0] == value
    return mask


def _subsets(items: list[tuple[int, int]]) -> list[dict[int, int]]:
    return [dict(c) for r in range(len(items)) for c in itertools.combinations(items, r)]


def refusal(matrix: Matrix, filters: Filters, k: int) -> str | None:
    """Why a filtered view can't be shown, or None.

    Refused when (a) it holds fewer than k people; (b) for any wider view W made of a
    subset of its conditions (the unfiltered total included), n(W) - n(view) is 1..k-1;
    or (c) for any one condition q=v and any subset S of the others, the breakdown of
    q within S, suppressed as the results page would show it, hides v. (c) stops
    recovering a small group from its siblings (total - A - B = C)."""
    if not filters:
        return None
    items = sorted(filters.items())
    n_view = int(mask_for(matrix, filters).sum())
    if n_view < k:
        return _("This filter matches fewer than %(k)s respondents, so it is not shown.") % {"k": k}
    for wider in _subsets(items):
        diff = int(mask_for(matrix, wider).sum()) - n_view
        if 0 < diff < k:
            return _(
                "This filter is refused: comparing it with a wider view would single out %(d)s "
                "respondent(s), fewer than %(k)s."
            ) % {"d": diff, "k": k}
    by_id = {q.pk: q for q in matrix.survey.ordered_questions()}
    for qid, value in items:
        others = [(q, v) for q, v in items if q != qid]
        question = by_id[qid]
        for subset in [*_subsets(others), dict(others)]:
            mask = mask_for(matrix, subset)
            col = matrix.column(question)[mask, 0]
            labels = [str(i) for i in range(len(question.option_list()))] + ["-"]
            counts = [int((col == i).sum()) for i in range(len(labels) - 1)] + [int((col == MISSING).sum())]
            shown = {c.label: c for c in suppress(dict(zip(labels, counts, strict=True)), k=k)}
            if shown[str(value)].hidden:
                return _(
                    "This filter is refused: its group is hidden in the breakdown by “%(q)s”, so showing it "
                    "would let a hidden group be worked out by subtraction."
                ) % {"q": question.text}
    return None


def differencing_hides(matrix: Matrix, question: Question, filters: Filters, k: int) -> bool:
    if not filters:
        return False
    view = cells(matrix, question, mask_for(matrix, filters))
    for wider in _subsets(sorted(filters.items())):
        diff = cells(matrix, question, mask_for(matrix, wider)) - view
        if np.any((diff > 0) & (diff < k)):
            return True
    return False


# ---------------------------------------------------------------- the results


@dataclass
class National:
    percent: float
    ci_low: float
    ci_high: float
    n: int = NATIONAL_N


@dataclass
class Row:
    label: str
    count: int | None  # None: hidden
    percent: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    national: National | None = None
    mean_rank: float | None = None

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass
class QuestionResult:
    question: Question
    n: int | None  # respondents who answered; None when hidden
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    summary: dict[str, float] = field(default_factory=dict)  # numbers: median, mean, quartiles
    n_eff: float | None = None
    free_text_count: int | None = None

    @property
    def has_national(self) -> bool:
        return any(r.national for r in self.rows)


@dataclass
class Results:
    survey: Survey
    n: int | None  # respondents in the view; None when hidden
    total: int | None  # all respondents, if shown
    response_rate: float | None
    unit_size: int | None
    show_intervals: bool
    design_note: str
    weighting: stats.Weights | None
    questions: list[QuestionResult]
    filters: dict[int, int]
    refused: str | None = None
    k: int = 5

    @property
    def weighted(self) -> bool:
        return self.weighting is not None and self.weighting.method != "none"


def design_note(survey: Survey) -> str:
    if survey.design == Survey.Design.PROBABILITY:
        return _(
            "Probability sample: 95% intervals assume the people asked were picked at random from the unit and "
            "that those who didn't answer are like those who did."
        )
    if survey.design == Survey.Design.CENSUS:
        return _(
            "Census of the unit: everyone was asked, so there is no sampling error and no margin of error is "
            "shown. The uncertainty is who didn't answer: read the response rate."
        )
    return _(
        "Opt-in survey: respondents chose themselves, so no margin of error is shown (AAPOR). The numbers "
        "describe those who answered, not necessarily the whole unit."
    )


def weights_for(matrix: Matrix) -> stats.Weights:
    """Weights to the unit's known make-up (Survey.makeup), or none; remembered per make-up."""
    key = json.dumps(matrix.survey.makeup or {}, sort_keys=True)
    if key not in matrix._weights:
        matrix._weights.clear()
        matrix._weights[key] = _weights_for(matrix)
    return matrix._weights[key]


def _weights_for(matrix: Matrix) -> stats.Weights:
    survey = matrix.survey
    makeup = survey.makeup or {}
    seg = segment_questions(survey)
    seg_ids = [q.pk for q in seg]
    cell_qids = [int(q) for q in makeup.get("cell_questions", []) if int(q) in seg_ids]
    raw_cells = makeup.get("cells") or {}
    if cell_qids and raw_cells:
        by_id = {q.pk: q for q in seg}
        codes = np.stack([_codes(matrix, by_id[q]) for q in cell_qids], axis=1)
        cells = {tuple(int(x) for x in key.split(",")): float(v) for key, v in raw_cells.items()}
        sizes = [len(by_id[q].option_list()) for q in cell_qids]
        if len(cells) == int(np.prod(sizes)) and all(v >= 0 for v in cells.values()):
            return stats.make_weights(codes, cells=cells)
    margins_raw = makeup.get("marginals") or {}
    used = [q for q in seg if margins_raw.get(str(q.pk))]
    if not used:
        return stats.Weights(np.ones(matrix.n), "none")
    codes = np.stack([_codes(matrix, q) for q in used], axis=1)
    margins = [{int(k): float(v) for k, v in margins_raw[str(q.pk)].items()} for q in used]
    return stats.make_weights(codes, margins=margins)


def _codes(matrix: Matrix, question: Question) -> np.ndarray:
    col = matrix.column(question)[:, 0].astype(np.int64)
    return np.where(col == MISSING, -1, col)


def compute(survey: Survey, filters: Filters | None = None, matrix: Matrix | None = None) -> Results:
    matrix = matrix if matrix is not None else load_cached(survey)
    k = max(survey.min_group, 5)
    filters = dict(filters or {})
    unit = survey.campaign.unit_size
    total = matrix.n
    shown_total = total if total >= k else None
    rate = (total / unit) if (unit and shown_total is not None) else None
    weighting = weights_for(matrix) if total else None
    refused = refusal(matrix, filters, k) if filters else None
    show_intervals = survey.design == Survey.Design.PROBABILITY
    base = Results(
        survey=survey,
        n=None,
        total=shown_total,
        response_rate=rate,
        unit_size=unit,
        show_intervals=show_intervals,
        design_note=design_note(survey),
        weighting=weighting,
        questions=[],
        filters=filters,
        refused=refused,
        k=k,
    )
    if refused or total < k:
        return base
    mask = mask_for(matrix, filters)
    base.n = int(mask.sum())
    weights = weighting.weights if weighting is not None else np.ones(total)
    free_counts = _free_text_counts(survey) if not filters and total >= max(survey.min_free_text, 10) else {}
    for question in survey.ordered_questions():
        if question.kind == Question.Kind.TEXT:
            n_text = free_counts.get(question.pk)
            base.questions.append(
                QuestionResult(
                    question,
                    None,
                    free_text_count=n_text if n_text is not None and n_text >= k else None,
                    note=_free_text_note(survey, total, bool(filters)),
                )
            )
            continue
        if differencing_hides(matrix, question, filters, k):
            base.questions.append(
                QuestionResult(
                    question,
                    None,
                    note=_("Hidden in this view: comparing it with a wider view would expose fewer than %(k)s people.")
                    % {"k": k},
                )
            )
            continue
        base.questions.append(_question(matrix, question, mask, weights, k, show_intervals, weighting))
    return base


def _free_text_counts(survey: Survey) -> dict[int, int]:
    from django.db.models import Count

    rows = survey.free_texts.values("question_id").annotate(n=Count("id"))
    return {r["question_id"]: r["n"] for r in rows}


def _free_text_note(survey: Survey, total: int, filtered: bool) -> str:
    k_text = max(survey.min_free_text, 10)
    if filtered:
        return _("Free text is never broken down by group.")
    if total < k_text:
        return _("Free text can be read once %(k)s people have answered the survey.") % {"k": k_text}
    return _("Sealed: read the answers on your own computer (see below).")


def _question(
    matrix: Matrix,
    question: Question,
    mask: np.ndarray,
    weights: np.ndarray,
    k: int,
    show_intervals: bool,
    weighting: stats.Weights | None,
) -> QuestionResult:
    ans = answered(matrix, question) & mask
    n_q = int(np.count_nonzero(ans))
    if n_q < k:
        return QuestionResult(question, None, note=_("Fewer than %(k)s answers: nothing is shown.") % {"k": k})
    if question.kind == Question.Kind.NUMBER:
        vals = matrix.column(question)[ans, 0].astype(float)
        q1, median, q3 = np.percentile(vals, [25, 50, 75])
        return QuestionResult(
            question,
            n_q,
            summary={"mean": float(vals.mean()), "median": float(median), "q1": float(q1), "q3": float(q3)},
            note=_("Smallest and largest answers are never shown: they belong to one person each."),
        )
    options = question.option_list()
    weighted = weighting is not None and weighting.method != "none"
    counts, weighted_counts = _tally(matrix, question, ans, weights if weighted else None)
    if weighted and weighted_counts is not None:
        ww = np.where(ans, weights, 0.0)
        total_w = ww.sum()
        shares = weighted_counts / total_w
        n_eff = float(total_w**2 / np.square(ww).sum())  # = n / Kish deff over those who answered
    else:
        shares = counts / n_q
        n_eff = float(n_q)
    if question.kind == Question.Kind.MULTI:
        no = n_q - counts
        visible = [(0 == c or c >= k) and (0 == d or d >= k) for c, d in zip(counts, no, strict=True)]
    else:
        labels = [str(i) for i in range(len(options))] + ["-"]
        cell_counts = [*counts.tolist(), n_q - int(counts.sum())]
        shown = suppress(dict(zip(labels, cell_counts, strict=True)), k=k)
        visible = [not c.hidden for c in shown[: len(options)]]
    if show_intervals:
        if weighted:
            low, high = stats.logit_interval(shares, n_eff)
        else:
            low, high = stats.wilson(counts, n_q)
    else:
        low = high = np.full(len(options), np.nan)
    mean_ranks: list[float | None] = [None] * len(options)
    if question.kind == Question.Kind.RANK:
        ranks = matrix.column(question)[ans]
        for j in range(len(options)):
            ranked = ranks[:, j] > 0
            if ranked.sum() >= k:
                mean_ranks[j] = float(ranks[ranked, j].mean())
    rows = []
    for j, option in enumerate(options):
        national = None
        if option.national_percent is not None:
            p = option.national_percent / 100
            nl, nh = stats.wilson(round(p * NATIONAL_N), NATIONAL_N)
            national = National(option.national_percent, float(nl) * 100, float(nh) * 100)
        if visible[j]:
            rows.append(
                Row(
                    option.label,
                    int(counts[j]),
                    float(shares[j]) * 100,
                    None if np.isnan(low[j]) else float(low[j]) * 100,
                    None if np.isnan(high[j]) else float(high[j]) * 100,
                    national,
                    mean_ranks[j],
                )
            )
        else:
            rows.append(Row(option.label, None, None, national=national))
    note = ""
    if any(r.hidden for r in rows):
        note = _(
            "Hidden: fewer than %(k)s people, or hidden with a small group so it can't be worked out by subtraction."
        ) % {"k": k}
    return QuestionResult(question, n_q, rows, note=note, n_eff=n_eff if weighted else None)

"""Results: counted from packed response rows (never from anything sealed) when a
release is made (releases.py), and read back from the stored release by every page,
the CSV and the brief, so nothing shown changes between releases.

docs/SURVEYS.md, "Views, releases and suppression", explains the rules."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import stats
from .models import MISSING, Question, Release, Response, Survey

NATIONAL_N = 1588  # AFL-CIO / David Binder Research, 14-22 April 2026
EVERYONE = "all"
SMALL, COVER, GROUP = "small", "cover", "group"  # why a figure is hidden (disclosure.py)


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
    percent: float | None  # unweighted share of those who answered
    ci_low: float | None = None
    ci_high: float | None = None
    national: National | None = None
    mean_rank: float | None = None
    weighted_percent: float | None = None  # everyone view of a weighted survey only
    reason: str = ""  # why hidden: SMALL, COVER or GROUP

    @property
    def hidden_label(self) -> str:
        return hidden_label(self.reason)

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
class Weighting:
    method: str
    deff: float | None  # None when withheld
    n_eff: float | None
    note: str = ""
    withheld: bool = False  # a group is not shown in this release: no weighted figure
    dropped: list[Any] = field(default_factory=list)  # [question id, option] with no respondents
    dropped_labels: list[str] = field(default_factory=list)  # "Team = Data", for the page


@dataclass
class ViewChoice:
    key: str
    label: str
    shown: bool


@dataclass
class Results:
    survey: Survey
    n: int | None  # respondents in the view; None when hidden
    total: int | None  # all respondents in the release
    response_rate: float | None
    unit_size: int | None
    show_intervals: bool
    design_note: str
    weighting: Weighting | None
    questions: list[QuestionResult]
    view: str = EVERYONE
    view_label: str = ""
    refused: str | None = None
    k: int = 5
    release: Release | None = None
    views: list[ViewChoice] = field(default_factory=list)
    no_code: int | None = None  # responses taken without an invite code

    @property
    def weighted(self) -> bool:
        """Whether this release shows weighted figures."""
        return self.weighting is not None and self.weighting.method != "none" and not self.weighting.withheld

    @property
    def weighting_withheld(self) -> bool:
        """A make-up is entered, but a group not shown keeps every weighted figure back."""
        return self.weighting is not None and self.weighting.withheld

    @property
    def withheld_message(self) -> str:
        return withheld_message()

    @property
    def dropped_message(self) -> str:
        return dropped_message(self.weighting.dropped_labels) if self.weighting else ""

    @property
    def hidden_colspan(self) -> int:
        return 2 + int(self.weighted and self.view == EVERYONE) + int(self.show_intervals)

    @property
    def hidden_reasons(self) -> list[tuple[str, str]]:
        """The hidden-figure labels used on this page, each with its one meaning."""
        used = {r.reason for qr in self.questions for r in qr.rows if r.hidden}
        return [(hidden_label(x), hidden_meaning(x, self.k)) for x in (SMALL, COVER, GROUP) if x in used]


def hidden_label(reason: str) -> str:
    return {SMALL: _("fewer than 5"), COVER: _("hidden to protect"), GROUP: _("group not shown")}.get(
        reason, _("hidden")
    )


def hidden_meaning(reason: str, k: int = 5) -> str:
    if reason == SMALL:
        return _("fewer than %(k)s people in this group gave this answer, so the number is not shown.") % {"k": k}
    if reason == COVER:
        return _(
            "this number is not small, but showing it would let someone work out a hidden small number from "
            "the other figures (in this view, another view or an earlier release)."
        )
    if reason == GROUP:
        return _("the group is too small to be shown on its own.")
    return ""


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
            return _by_question(stats.make_weights(codes, cells=cells), cell_qids)
    margins_raw = makeup.get("marginals") or {}
    used = [q for q in seg if margins_raw.get(str(q.pk))]
    if not used:
        return stats.Weights(np.ones(matrix.n), "none")
    codes = np.stack([_codes(matrix, q) for q in used], axis=1)
    margins = [{int(k): float(v) for k, v in margins_raw[str(q.pk)].items()} for q in used]
    return _by_question(stats.make_weights(codes, margins=margins), [q.pk for q in used])


def _by_question(weights: stats.Weights, question_ids: list[int]) -> stats.Weights:
    """The groups left out of the weighting named by (question id, option index)."""
    return dataclasses.replace(weights, dropped=[(question_ids[j], cat) for j, cat in weights.dropped])


def _codes(matrix: Matrix, question: Question) -> np.ndarray:
    col = matrix.column(question)[:, 0].astype(np.int64)
    return np.where(col == MISSING, -1, col)


NOTES = {
    "text_by_group": lambda k: _("Free text is never broken down by group."),
    "text_wait": lambda k: _("Free text can be read once enough people have answered the survey."),
    "text_sealed": lambda k: _("Sealed: read the answers on your own computer (see below)."),
    "own_group": lambda k: _("Everyone in this view gave the same answer here: it defines the view."),
    "answered_hidden": lambda k: _(
        "How many answered is not shown here (it would give away a hidden number), so no percentages either."
    ),
    "number_extremes": lambda k: _(
        "Smallest and largest answers are never shown: they belong to one person each. The mean is shown "
        "for everyone only."
    ),
    "weighted_hidden": lambda k: _(
        "No weighted percentages for this question: some of its counts are hidden, and a weighted share "
        "could give them away."
    ),
    "number_few": lambda k: _("Fewer than %(k)s answers: nothing is shown.") % {"k": k},
}


def latest(survey: Survey) -> Release | None:
    return survey.releases.order_by("-number").first()


def compute(survey: Survey, view: str = EVERYONE, release: Release | None = None) -> Results:
    """What the released results show for one view. Reads the stored release only."""
    release = release if release is not None else latest(survey)
    k = max(survey.min_group, 5)
    unit = survey.campaign.unit_size
    base = Results(
        survey=survey,
        n=None,
        total=None,
        response_rate=None,
        unit_size=unit,
        show_intervals=survey.design == Survey.Design.PROBABILITY,
        design_note=design_note(survey),
        weighting=None,
        questions=[],
        view=view,
        k=k,
        release=release,
    )
    if release is None:
        return base
    data = release.data
    base.k = int(data.get("k", k))
    base.total = int(data["total"])
    base.response_rate = (base.total / unit) if unit else None
    base.no_code = data.get("no_code")
    if data.get("weighting"):
        base.weighting = Weighting(**data["weighting"])
        base.weighting.dropped_labels = _group_labels(survey, base.weighting.dropped)
    views = data["views"]
    base.views = [ViewChoice(key, views[key]["label"], views[key]["n"] is not None) for key in data["order"]]
    chosen = views.get(view)
    if chosen is None:
        base.refused = _("There is no such view.")
        return base
    base.view_label = chosen["label"]
    if chosen["n"] is None:
        base.refused = _(
            "This group is not shown on its own: it is too small, or showing it would let a small group be "
            "worked out from the other groups."
        )
        return base
    base.n = chosen["n"]
    by_id = {q.pk: q for q in survey.ordered_questions()}
    for item in chosen["questions"]:
        question = by_id.get(item["question"])
        if question is None:
            continue
        rows = [_row(r) for r in item["rows"]]
        notes = [NOTES[code](base.k) for code in item["notes"] if code in NOTES]
        base.questions.append(
            QuestionResult(
                question,
                item["n"],
                rows,
                note=" ".join(str(n) for n in notes),
                summary=item.get("summary") or {},
                n_eff=item.get("n_eff"),
                free_text_count=item.get("free_text"),
            )
        )
    return base


def _group_labels(survey: Survey, groups: list[Any]) -> list[str]:
    """ "Question = option" for each [question id, option index]."""
    by_id = {q.pk: q for q in survey.ordered_questions()}
    out = []
    for question_id, index in groups:
        question = by_id.get(question_id)
        options = question.option_list() if question is not None else []
        if question is not None and 0 <= index < len(options):
            out.append(f"{question.text} = {options[index].label}")
    return out


def _row(r: dict[str, Any]) -> Row:
    nat = r.get("national")
    return Row(
        r["label"],
        r["count"],
        r.get("percent"),
        r.get("ci_low"),
        r.get("ci_high"),
        National(nat["percent"], nat["ci_low"], nat["ci_high"]) if nat else None,
        r.get("mean_rank"),
        r.get("weighted_percent"),
        r.get("reason", ""),
    )


def withheld_message() -> str:
    return _(
        "The unit's make-up is entered, but this release shows no weighted figures: a group is not shown in it "
        "(too small, or hidden to protect another), and a weighted share mixes every group's answers in "
        "proportions known from the make-up, so it would give that group's answers away. Weighted shares come "
        "back in a release where every group is shown: wait for more responses. In a next survey, fewer or "
        "broader groups (tenure in bands, merged small teams) keep every group shown."
    )


def dropped_message(labels: list[str]) -> str:
    return _(
        "Nobody answered from %(groups)s, so that part of the unit's make-up was left out of the weighting: the "
        "other groups are weighted to their shares among themselves, and the weighted figures say nothing "
        "about the people left out."
    ) % {"groups": "; ".join(labels)}


def no_code_warning(n: int) -> str:
    return _(
        "Warning: all %(n)s responses came without an invite code. Anyone with the link could answer more than "
        "once, so some people may be counted twice or more."
    ) % {"n": n}


def written_answers_line(records: int) -> str:
    """What `concerted reveal --survey` says it opened: written answers, not people. Free
    text is stored with no link to its response, so nobody, the committee included, can
    tell how many people wrote them (one person may answer several text questions)."""
    return ngettext(
        "%(n)d written answer (free text is not linked to a respondent, so this is not a count of people).",
        "%(n)d written answers (free text is not linked to a respondent, so this is not a count of people).",
        records,
    ) % {"n": records}

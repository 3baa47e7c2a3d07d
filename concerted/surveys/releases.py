"""Released results: every figure a results page, the CSV or the brief can show, fixed
when the organizer makes a release (docs/SURVEYS.md, "Views, releases, suppression").

The views are fixed: everyone, and each single value of each segment question. Nothing
else can be asked for, so the whole set is audited at once: `disclosure.protect` hides
cells until no hidden figure of this release or an earlier one can be pinned down from
all the shown ones. A release is refused unless every view that was shown before and
changes gains at least k responses, so comparing two releases never isolates fewer
than k new respondents."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from . import disclosure
from .disclosure import EVERYONE, GROUP, Cell, Family
from .models import MISSING, Question, Release, Survey
from .results import Matrix, answered, load, segment_questions

SEG = "seg"


class NotReady(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Layout:
    """Segment combinations and views of a survey, and each respondent's combination."""

    seg: list[Question]
    radices: list[int]
    combos: np.ndarray  # (n_combos, n_seg): code per segment question; missing = its option count
    views: list[str]
    members: dict[str, np.ndarray]  # view -> bool over combinations
    combo_of: np.ndarray  # (n,) combination index of each respondent

    @property
    def n_combos(self) -> int:
        return int(self.combos.shape[0])


def view_key(question: Question, value: int) -> str:
    return f"{question.pk}={value}"


def layout_for(matrix: Matrix) -> Layout:
    seg = segment_questions(matrix.survey)
    radices = [len(q.option_list()) + 1 for q in seg]
    if seg:
        combos = np.array(list(itertools.product(*[range(r) for r in radices])), dtype=int)
    else:
        combos = np.zeros((1, 0), dtype=int)  # one combination: everyone
    combo_of = np.zeros(matrix.n, dtype=np.int64)
    for q, r in zip(seg, radices, strict=True):
        col = matrix.column(q)[:, 0].astype(np.int64)
        code = np.where(col == MISSING, r - 1, col)
        combo_of = combo_of * r + code
    views = [EVERYONE]
    members = {EVERYONE: np.ones(combos.shape[0], dtype=bool)}
    for i, q in enumerate(seg):
        for v in range(radices[i] - 1):
            key = view_key(q, v)
            views.append(key)
            members[key] = combos[:, i] == v
    return Layout(seg, radices, combos, views, members, combo_of)


def view_question(view: str) -> int | None:
    return None if view == EVERYONE else int(view.split("=")[0])


# ---------------------------------------------------------------- families


@dataclass
class Spec:
    """One family: a question (or one option of a multiple-choice question)."""

    key: str
    question: Question
    categories: list[str]  # cell keys
    cat: np.ndarray  # (n,) category index per respondent


def specs(matrix: Matrix) -> list[Spec]:
    out: list[Spec] = []
    for q in matrix.survey.ordered_questions():
        if (q.segment and q.kind == Question.Kind.SINGLE) or q.kind == Question.Kind.TEXT:
            continue
        cols = matrix.column(q)
        ans = answered(matrix, q)
        k = len(q.option_list())
        if q.kind == Question.Kind.MULTI:
            for j in range(k):
                bit = ((cols[:, 0] >> j) & 1).astype(bool)
                cat = np.where(~ans, 2, np.where(bit, 0, 1))
                out.append(Spec(f"{q.pk}.{j}", q, ["yes", "no", "-"], cat))
        elif q.kind == Question.Kind.RANK:
            first = cols == 1
            has = first.any(axis=1)
            cat = np.where(~ans, k + 1, np.where(has, first.argmax(axis=1), k))
            out.append(Spec(str(q.pk), q, [str(i) for i in range(k)] + ["none", "-"], cat))
        elif q.kind == Question.Kind.NUMBER:
            out.append(Spec(str(q.pk), q, ["ans", "-"], np.where(ans, 0, 1)))
        else:
            col = cols[:, 0]
            out.append(Spec(str(q.pk), q, [str(i) for i in range(k)] + ["-"], np.where(ans, col, k)))
    return out


def _seg_cells(layout: Layout) -> list[tuple[str, str, np.ndarray]]:
    """(view, key, members) of every segment figure: the everyone view's size and group
    breakdowns, and each group view's breakdown by the other segment questions."""
    out = [(EVERYONE, "n", layout.members[EVERYONE])]
    for view in layout.views:
        own = view_question(view)
        for i, q in enumerate(layout.seg):
            if q.pk == own:
                continue
            for v in range(layout.radices[i]):
                key = f"{q.pk}:{'-' if v == layout.radices[i] - 1 else v}"
                out.append((view, key, layout.members[view] & (layout.combos[:, i] == v)))
    return out


def _stored(previous: list[Release], family: str) -> list[dict[str, dict[str, int | None]]]:
    return [p.data["cells"].get(family, {}) for p in previous]


def _prior_cells(
    previous: list[Release], family: str, defs: list[tuple[str, str, np.ndarray, int | None]]
) -> list[Cell]:
    cells = []
    for r, stored in enumerate(_stored(previous, family)):
        for view, key, members, cat in defs:
            if view not in stored or key not in stored[view]:
                continue
            value = stored[view][key]
            cells.append(
                Cell(
                    r,
                    view,
                    key,
                    members,
                    cat,
                    value,
                    shown=value is not None,
                    candidate=False,
                    everyone=view == EVERYONE,
                )
            )
    return cells


def _last_pattern(previous: list[Release], family: str) -> dict[tuple[str, str], tuple[bool, str]]:
    if not previous:
        return {}
    data = previous[-1].data
    stored = data["cells"].get(family, {})
    reasons = data["reasons"].get(family, {})
    return {
        (view, key): (value is not None, reasons.get(view, {}).get(key, ""))
        for view, cells in stored.items()
        for key, value in cells.items()
    }


def _apply_frozen(cells: list[Cell], frozen: set[str], last: dict[tuple[str, str], tuple[bool, str]]) -> None:
    for cell in cells:
        if cell.view in frozen and (cell.view, cell.key) in last:
            cell.frozen = True
            cell.candidate = False
            cell.shown, cell.reason = last[(cell.view, cell.key)]


# ---------------------------------------------------------------- making a release


def growth(survey: Survey, layout: Layout, previous: Release | None) -> dict[str, int]:
    sizes = {view: int(np.count_nonzero(layout.members[view][layout.combo_of])) for view in layout.views}
    before = (previous.sizes if previous else {}) or {}
    return {view: sizes[view] - int(before.get(view, 0)) for view in layout.views}


def blocking(survey: Survey, layout: Layout, previous: Release | None, k: int) -> list[str]:
    """Views that changed by 1..k-1 responses since the last release (only views that
    were shown then count: a view never shown has no "before" to compare with)."""
    grown = growth(survey, layout, previous)
    shown_before = set(previous.data["shown_views"]) if previous else {EVERYONE}
    return [view for view, g in grown.items() if 0 < g < k and view in shown_before]


def readiness(survey: Survey) -> tuple[bool, str]:
    """Whether a release can be made now, without saying which group holds how many new
    responses (that would be a live per-group counter)."""
    k = max(survey.min_group, 5)
    return _readiness(survey, load(survey), survey.releases.order_by("-number").first(), k)


def _readiness(survey: Survey, matrix: Matrix, previous: Release | None, k: int) -> tuple[bool, str]:
    layout = layout_for(matrix)
    grown = growth(survey, layout, previous)
    if grown[EVERYONE] <= 0:
        return False, _("No new responses since the last release.")
    if (previous is None and matrix.n < k) or blocking(survey, layout, previous, k):
        return False, _(
            "Not yet: a release must add at least %(k)s responses to every view that changes (everyone, and each "
            "group that changes). Wait for more responses."
        ) % {"k": k}
    return True, _("Ready: a new release can be made.")


def make(survey: Survey) -> Release:
    """Compute and store the next release, or raise NotReady.

    The audit can take minutes on a small unit with many groups, so it runs outside any
    transaction: inside one, SQLite's IMMEDIATE transaction would hold the whole server's
    write lock (every signature, pledge and card would wait, then fail) and PostgreSQL's
    row lock on the survey would hold up its responses. It works on the responses as they
    are when it starts (they are only ever added; later ones go in the next release), and
    the short transaction at the end stores it only if nothing it relied on has changed."""
    survey = Survey.objects.get(pk=survey.pk)
    basis = _basis(survey)
    release = prepare(survey, load(survey), list(survey.releases.order_by("number")))
    with transaction.atomic():
        current = Survey.objects.select_for_update().get(pk=survey.pk)
        if _basis(current) != basis:
            raise NotReady(
                _(
                    "Another release was made, or the survey was changed, while this one was being prepared. "
                    "Nothing was stored: look at the results, then try again if a release is still due."
                )
            )
        release.survey = current
        release.save(force_insert=True)
    return release


def _basis(survey: Survey) -> tuple[int, int, tuple[tuple[int, tuple[int, int]], ...]]:
    """What a release is computed from, besides the responses: the last release's number,
    the smallest group shown and the questions' layout."""
    last = survey.releases.order_by("-number").values_list("number", flat=True).first() or 0
    return last, survey.min_group, tuple(survey.layout().items())


def prepare(survey: Survey, matrix: Matrix, previous: list[Release]) -> Release:
    """The next release for these responses, not yet saved; NotReady if it may not be made."""
    k = max(survey.min_group, 5)
    ok, why = _readiness(survey, matrix, previous[-1] if previous else None, k)
    if not ok:
        raise NotReady(why)
    layout = layout_for(matrix)
    data = compute_release(survey, matrix, previous, k)
    sizes = {view: int(np.count_nonzero(layout.members[view][layout.combo_of])) for view in layout.views}
    number = (previous[-1].number if previous else 0) + 1
    return Release(survey=survey, number=number, data=data, sizes=sizes)


def compute_release(survey: Survey, matrix: Matrix, previous: list[Release], k: int) -> dict[str, Any]:
    """The release payload for these responses (no checks on growth; `make` does them)."""
    from . import presenting

    layout = layout_for(matrix)
    cells, reasons, shown_views = audit(matrix, layout, previous, k)
    payload = presenting.present(matrix, layout, cells, reasons, shown_views, k)
    payload["cells"] = cells
    payload["reasons"] = reasons
    payload["shown_views"] = sorted(shown_views)
    payload["k"] = k
    return payload


Cells = dict[str, dict[str, dict[str, int | None]]]
Reasons = dict[str, dict[str, dict[str, str]]]


def audit(matrix: Matrix, layout: Layout, previous: list[Release], k: int) -> tuple[Cells, Reasons, set[str]]:
    """Suppression for the whole view set: {family: {view: {key: value or None}}}, the
    reason of each hidden one, and the views shown. The segment figures are settled
    first and bind every question; when a question can only be kept safe by hiding a
    segment figure as well, it is hidden there and the whole audit runs again (each run
    hides more, so this ends)."""
    forced: set[tuple[str, str]] = set()
    while True:
        cells, reasons, shown_views, escalated = _audit(matrix, layout, previous, k, forced)
        if escalated <= forced:
            return cells, reasons, shown_views
        forced |= escalated


def _audit(
    matrix: Matrix, layout: Layout, previous: list[Release], k: int, forced: set[tuple[str, str]]
) -> tuple[Cells, Reasons, set[str], set[tuple[str, str]]]:
    releases = len(previous) + 1
    current = releases - 1
    prev = previous[-1] if previous else None
    grown = growth(matrix.survey, layout, prev)
    frozen = {view for view, g in grown.items() if g == 0 and prev is not None and view != EVERYONE}
    out_cells: dict[str, dict[str, dict[str, int | None]]] = {}
    out_reasons: dict[str, dict[str, dict[str, str]]] = {}

    # 1. Segment figures: view sizes and group breakdowns. A hidden group withholds its view.
    per_combo = np.bincount(layout.combo_of, minlength=layout.n_combos)
    seg_defs = [(view, key, members, None) for view, key, members in _seg_cells(layout)]
    seg = Family(layout.n_combos, 1, releases, on_hide=_withhold_view)
    seg.cells = _prior_cells(previous, SEG, seg_defs)
    now = []
    for view, key, members, _cat in seg_defs:
        value = int(per_combo[members].sum())
        now.append(
            # the total is the headline, never hidden: it breaks nothing down
            Cell(
                current,
                view,
                key,
                members,
                None,
                value,
                shown=True,
                sensitive=key != "n",
                candidate=key != "n",
                everyone=view == EVERYONE,
            )
        )
    _apply_frozen(now, frozen, _last_pattern(previous, SEG))
    seg.cells += now
    seg.add_point(per_combo.astype(float))  # the true counts: a history the attacker can't rule out
    disclosure.primary(now, k)
    for cell in now:
        if (cell.view, cell.key) in forced and cell.shown:
            cell.shown, cell.reason = False, disclosure.COVER
            _withhold_view(seg, cell)
    _withhold(now, layout, k)
    disclosure.protect(seg, k)
    _withhold(now, layout, k)
    shown_views = {EVERYONE} | {
        c.key.replace(":", "=")
        for c in now
        if c.view == EVERYONE and c.key != "n" and c.shown and not c.key.endswith(":-")
    }
    _export(out_cells, out_reasons, SEG, now)

    # 2. Every question family, with the segment figures as known constraints.
    by_question: dict[int, list[tuple[Spec, list[Cell], Family]]] = {}
    for spec in specs(matrix):
        family, now_q = _family(spec, layout, previous, seg.cells, releases, frozen, shown_views, k)
        disclosure.protect(family, k)
        by_question.setdefault(spec.question.pk, []).append((spec, now_q, family))
    escalated: set[tuple[str, str]] = set()
    for parts in by_question.values():
        if len(parts) > 1:
            _share_missing(parts, k)
        for spec, now_q, family in parts:
            _export(out_cells, out_reasons, spec.key, now_q)
            escalated |= {(c.view, c.key) for c in family.escalated}
    return out_cells, out_reasons, shown_views, escalated


def _withhold_view(family: Family, cell: Cell) -> None:
    """Hiding a group's size in the everyone view hides its whole view: its own figures
    add up to that size."""
    if cell.view != EVERYONE or cell.key == "n" or cell.key.endswith(":-"):
        return
    view = cell.key.replace(":", "=")
    for other in family.cells:
        if other.release == cell.release and other.view == view and other.shown:
            other.shown, other.reason = False, GROUP


def _withhold(seg_now: list[Cell], layout: Layout, k: int) -> None:
    """A group hidden in the everyone view's breakdown has no view of its own."""
    hidden_groups = {c.key.replace(":", "=") for c in seg_now if c.view == EVERYONE and c.hidden and c.key != "n"}
    for cell in seg_now:
        if cell.view in hidden_groups and cell.shown:
            cell.shown = False
            cell.reason = GROUP


def _family(
    spec: Spec,
    layout: Layout,
    previous: list[Release],
    seg_cells: list[Cell],
    releases: int,
    frozen: set[str],
    shown_views: set[str],
    k: int,
) -> tuple[Family, list[Cell]]:
    current = releases - 1
    n_cats = len(spec.categories)
    family = Family(layout.n_combos, n_cats, releases)
    defs = [(view, key, layout.members[view], j) for view in layout.views for j, key in enumerate(spec.categories)]
    family.cells = _prior_cells(previous, spec.key, defs)
    # segment figures constrain (when shown) and are checked again (when hidden)
    for c in seg_cells:
        family.cells.append(
            Cell(
                c.release, c.view, c.key, c.members, None, c.value, c.shown, c.reason, candidate=False, frozen=c.frozen
            )
        )
    table = np.bincount(layout.combo_of * n_cats + spec.cat, minlength=layout.n_combos * n_cats).reshape(
        layout.n_combos, n_cats
    )
    now = []
    for view, key, members, j in defs:
        value = int(table[members, j].sum())
        cell = Cell(
            current, view, key, members, j, value, shown=True, sensitive=view != EVERYONE, everyone=view == EVERYONE
        )
        if view not in shown_views:
            cell.shown, cell.reason, cell.candidate = False, GROUP, False
        now.append(cell)
    _apply_frozen(now, frozen, _last_pattern(previous, spec.key))
    disclosure.primary(now, k)
    family.cells += now
    family.add_point(table.ravel().astype(float))  # the true counts: a history the attacker can't rule out
    return family, now


def _share_missing(parts: list[tuple[Spec, list[Cell], Family]], k: int) -> None:
    """A multiple-choice question's "no answer" count is one figure shared by all its
    options: hidden in one, it is hidden in all, and the solver runs again."""
    while True:
        hidden_views = {c.view for _spec, now, _f in parts for c in now if c.key == "-" and c.hidden}
        changed = False
        for _spec, now, family in parts:
            hid = False
            for c in now:
                if c.key == "-" and c.view in hidden_views and c.shown:
                    c.shown, c.reason = False, disclosure.COVER
                    hid = True
            if hid:
                disclosure.protect(family, k)
                changed = True
        if not changed:
            return


def _export(
    cells: dict[str, dict[str, dict[str, int | None]]],
    reasons: dict[str, dict[str, dict[str, str]]],
    family: str,
    now: list[Cell],
) -> None:
    fam_cells = cells.setdefault(family, {})
    fam_reasons = reasons.setdefault(family, {})
    for cell in now:
        fam_cells.setdefault(cell.view, {})[cell.key] = cell.value if cell.shown else None
        if cell.hidden:
            fam_reasons.setdefault(cell.view, {})[cell.key] = cell.reason

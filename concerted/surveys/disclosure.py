"""Cell suppression for a fixed set of views, checked by a solver playing the attacker.

No Django here: plain numbers in, a shown/hidden pattern out (releases.py feeds it).

The attacker's model. Respondents fall into segment combinations `s` (one value, or
"no answer", per segment question). For one *family* (a question, or one option of a
multiple-choice question) each respondent has one category `c`. The unknowns are
`y[r, s, c]`: how many respondents of release `r` have combination `s` and category
`c`. Every figure any release shows is a sum of some of them, so the attacker knows:

- every shown figure of this family, in this release and every earlier one;
- every shown segment figure (view sizes, group breakdowns) of every release;
- responses are only ever added: `y[r] >= y[r-1]`;
- `y` are whole numbers >= 0.

For each hidden figure it bounds the figure under those constraints (scipy's HiGHS).
A hidden figure is *safe* when its whole-number bounds are neither one exact number
nor inside 1..k-1. The verdict is the one the exact integer minimum and maximum give,
reached more cheaply (`decide`): every whole-number solution found along the way (the
true counts, relaxed optima that happen to be whole, answers to yes/no questions) is a
history the attacker can't rule out, so it widens the known inside of the bounds, and
the linear relaxation caps their outside; integer programs run only while the two
disagree. While some hidden figure is unsafe, one more shown figure is hidden (closest
first: same view, then sibling views, then the rest; the everyone view last, so
headline figures stay), and the solver runs again. Hiding everything that grew is
always safe, so this ends."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from concerted.core.attacker import find as _find
from concerted.core.attacker import relax as _relax
from concerted.core.attacker import safe
from concerted.core.attacker import solve as _solve

EVERYONE = "all"

# Why a figure is hidden. One reason per hidden figure, shown to the organizer.
SMALL = "small"  # a group breakdown cell of 1..k-1 people
COVER = "cover"  # hidden so a small figure elsewhere can't be worked out from it
GROUP = "group"  # the whole view is withheld: its group is hidden in the breakdown


@dataclass
class Cell:
    """One figure: people of `release` in the combinations `members`, category `cat`
    (None: every category, i.e. a count of people, used for segment figures)."""

    release: int
    view: str
    key: str
    members: np.ndarray  # bool over segment combinations
    cat: int | None
    value: int | None  # the true value in the current release; the shown value before
    shown: bool
    reason: str = ""
    sensitive: bool = False  # part of a breakdown by group: the k-rule applies
    frozen: bool = False  # its view didn't change since the last release: same figure as before
    candidate: bool = True  # may be hidden as cover (current release, this family)
    everyone: bool = False

    @property
    def hidden(self) -> bool:
        return not self.shown


@dataclass
class Family:
    n_combos: int
    n_cats: int
    releases: int
    cells: list[Cell] = field(default_factory=list)
    monotone: bool = True
    # called with each figure hidden as cover, to hide what goes with it (a group's view)
    on_hide: Callable[[Family, Cell], None] | None = None
    # segment figures of this release a question family needed hidden: only the segment
    # stage may hide them, so the caller hides them there and runs the audit again
    escalated: list[Cell] = field(default_factory=list)
    # whole-number solutions of some system of this family seen so far (the true
    # counts, when known, and every integer optimum the solver returned): each one still
    # satisfying the current system bounds every figure from inside (see _Seen)
    points: list[np.ndarray] = field(default_factory=list)

    def add_point(self, x: np.ndarray) -> None:
        whole = np.round(x)
        if whole.size == self.releases * self.n_combos * self.n_cats and np.allclose(x, whole, atol=1e-7):
            self.points.append(whole)
            del self.points[:-MAX_POINTS]

    def _row(self, cell: Cell) -> np.ndarray:
        size = self.n_combos * self.n_cats
        row = np.zeros(self.releases * size)
        block = np.zeros((self.n_combos, self.n_cats))
        if cell.cat is None:
            block[cell.members, :] = 1.0
        else:
            block[cell.members, cell.cat] = 1.0
        row[cell.release * size : (cell.release + 1) * size] = block.ravel()
        return row

    def _columns(self, cell: Cell) -> np.ndarray:
        """The unknowns a figure adds up (the nonzero columns of `_row`), cached per cell."""
        cache = self.__dict__.setdefault("_columns_of", {})
        if id(cell) not in cache:
            combos = np.flatnonzero(cell.members)
            cats = np.arange(self.n_cats) if cell.cat is None else np.array([cell.cat])
            base = cell.release * self.n_combos * self.n_cats
            cache[id(cell)] = (base + combos[:, None] * self.n_cats + cats[None, :]).ravel()
        return cache[id(cell)]

    def rows(self, cells: list[Cell]) -> sparse.csr_matrix:
        """`_row` of each figure, stacked (sparse)."""
        columns = [self._columns(c) for c in cells]
        indptr = np.zeros(len(cells) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(c) for c in columns])
        indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        nvars = self.releases * self.n_combos * self.n_cats
        return sparse.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(cells), nvars))

    def system(self) -> tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix | None]:
        shown = [c for c in self.cells if c.shown and c.value is not None]
        key = (tuple(id(c) for c in shown), self.monotone)
        cached = self.__dict__.get("_system")
        if cached is not None and cached[0] == key:
            return cached[1]
        a_eq = self.rows(shown)
        b_eq = np.array([float(c.value) for c in shown])  # type: ignore[arg-type]
        mono = None
        if self.monotone and self.releases > 1:
            size = self.n_combos * self.n_cats
            eye = sparse.identity(size, format="csr")
            blocks = []
            for r in range(1, self.releases):
                parts: list[sparse.spmatrix] = [sparse.csr_matrix((size, size)) for _ in range(self.releases)]
                parts[r - 1] = eye
                parts[r] = -eye
                blocks.append(sparse.hstack(parts))
            mono = sparse.vstack(blocks).tocsr()  # y[r-1] - y[r] <= 0
        result = (a_eq, b_eq, mono)
        self.__dict__["_system"] = (key, result)
        return result


def checked(family: Family) -> list[Cell]:
    """The hidden figures the attacker tries to pin down. A frozen view's figure is the
    same number as in the last release, where it is checked already."""
    current = family.releases - 1
    return [c for c in family.cells if c.hidden and not (c.release == current and c.frozen)]


def _upper(family: Family) -> float:
    totals = [c.value for c in family.cells if c.key == "n" and c.view == EVERYONE and c.value is not None]
    return float(max(totals)) if totals else 1e9


def _solve_in(
    family: Family, objective: np.ndarray, integer: bool, retry: bool = True
) -> tuple[float, np.ndarray] | None:
    """min objective·y over this family's system; an infeasible system (responses removed
    since an earlier release) is retried without the "only added" constraint. Whole-number
    solutions are kept in `family.points`."""
    upper = _upper(family)
    found = _solve(objective, family.system(), upper, integer)
    if found is None and retry and family.monotone:
        family.monotone = False
        found = _solve(objective, family.system(), upper, integer)
    if found is not None:
        family.add_point(found[1])
    return found


def bound(
    family: Family, cell: Cell, integer: bool, k: int | None = None, seen: _Seen | None = None
) -> tuple[float, float]:
    """The attacker's best bounds on one figure (whole numbers with `integer`). With `k`
    and a known true value, the minimum is skipped when the maximum already shows the
    figure is safe. An infeasible system (responses removed since an earlier release)
    is retried without the "only added" constraint. The solutions go to `seen`."""
    row = family._row(cell)
    high = _solve_in(family, -row, integer)
    if high is None:
        return 0.0, _upper(family)
    if seen is not None:
        seen.add(high[1])
    hi = -high[0]
    value = cell.value if cell.release == family.releases - 1 else None
    if k is not None and value is not None and math.floor(hi + 1e-6) >= max(k, value + 1):
        return float(min(value, 0)), hi  # the minimum is <= value < maximum: wide either way
    low = _solve_in(family, row, integer, retry=False)
    if low is not None and seen is not None:
        seen.add(low[1])
    return (0.0 if low is None else low[0]), hi


def _verdict(value: int | None, low: float, high: float, k: int) -> bool:
    """`safe(*bound(...))` for bounds `low`, `high`: with the true value known, a maximum of
    at least k above it is enough (bound skips the minimum then)."""
    if value is not None and math.floor(high + 1e-6) >= max(k, value + 1):
        return True
    return safe(low, high, k)


def decide(family: Family, cell: Cell, k: int, seen: _Seen, i: int) -> bool:
    """Whether a hidden figure is safe: the same answer as `safe(*bound(family, cell, True,
    k), k)`, with fewer and cheaper integer programs.

    The verdict only gets safer as the bounds widen. The attacker's whole-number bounds
    lie between the inner ones (the least and greatest value over the whole-number
    solutions in `seen`) and the outer ones (the linear relaxation rounded inwards, and
    what the solver proved impossible). If the inner bounds are safe, so are the exact
    ones; if the outer ones are unsafe, so are the exact ones; a relaxation whose optimum
    is a whole vector is exact. While they disagree, the solver is asked whether a whole
    solution exists with the figure at the one threshold that matters (0, k, the true
    value + 1, ...): each answer moves an inner or an outer bound, and at most four
    settle it. A solver that stops undecided hands over to `bound`.

    Until some whole-number solution is known, `bound` runs as it is: a system with a
    relaxed solution but no whole one (possible only with "only added" after removals)
    must drop that constraint at the first integer program, as `bound` does."""
    if not seen.count:
        return safe(*bound(family, cell, True, k, seen), k)
    value = cell.value if cell.release == family.releases - 1 else None
    row = family._row(cell)
    high = _solve_in(family, -row, False)
    if high is None:
        return safe(0.0, _upper(family), k)  # as bound(): no solution, nothing pinned
    seen.add(high[1])
    if seen.proves(i, k):
        return True
    low = _solve_in(family, row, False, retry=False)
    if low is None:
        return safe(*bound(family, cell, True, k, seen), k)  # the solver failed: don't guess
    seen.add(low[1])
    # outer whole-number bounds; a whole relaxed optimum is the integer optimum itself
    lo_out, hi_out = max(0, math.ceil(low[0] - 1e-6)), math.floor(-high[0] + 1e-6)
    lo_in = lo_out if _Seen.whole(low[1]) else math.inf
    hi_in = hi_out if _Seen.whole(high[1]) else -math.inf
    threshold = None if value is None else max(k, value + 1)
    upper = _upper(family)
    while True:
        a, b = min(seen.low[i], lo_in), max(seen.high[i], hi_in)
        if _verdict(value, a, b, k):
            return True
        if not _verdict(value, lo_out, hi_out, k):
            return False
        if threshold is not None and b < threshold <= hi_out:
            ask, no = (threshold, math.inf), ("hi", threshold - 1)  # the maximum reaches true value + 1 and k?
        elif lo_out == 0 < a:
            ask, no = (0, 0), ("lo", 1)  # can it be 0?
        elif max(k, a + 1) <= hi_out:
            c = max(k, a + 1)
            ask, no = (c, math.inf), ("hi", c - 1)  # at least k, and above a value it can take?
        else:
            ask, no = (lo_out, a - 1), ("lo", a)  # pinned at its maximum (>= k) unless it can be lower
        # pushing the other figures not yet proven the same way makes the answer a
        # solution that proves more of them (any solution is an answer)
        found = _find(
            family.system(), upper, row, *ask, objective=seen.toward(1 if ask[1] < math.inf else -1), near=seen.near
        )
        if isinstance(found, str):  # attacker.UNKNOWN
            return safe(*bound(family, cell, True, k, seen), k)
        if found is None:
            if no[0] == "hi":
                hi_out = no[1]
            else:
                lo_out = no[1]
            continue
        before = seen.count
        seen.add(found)
        if seen.count == before or not ask[0] <= row @ np.round(found) <= ask[1]:
            return safe(*bound(family, cell, True, k, seen), k)  # not an exact solution: don't guess


class _Seen:
    """For the figures `cells`, the least and greatest value over every whole-number
    solution of the family's current system found so far.

    Each such solution is a history the attacker can't rule out, so the attacker's own
    bounds contain these values: the minimum is at most `low`, the maximum at least
    `high`. That alone proves a figure safe (the same verdict `bound` + `safe` would
    reach, never a different one) when `low` is 0 (a minimum of 0 is never "inside
    1..k-1" and never an exact positive number), or `low < high` with `high >= k`, or,
    as in `bound`, `high >= max(k, value + 1)`. Solutions are checked against the
    system exactly (whole numbers, 0/1 coefficients) before they count."""

    def __init__(self, family: Family, cells: list[Cell], verified: set[int]) -> None:
        self.family = family
        self.cells = cells
        self.verified = verified
        self.ids = {id(c) for c in cells}
        self.rows = family.rows(cells) if cells else None
        self.low = np.full(len(cells), np.inf)
        self.high = np.full(len(cells), -np.inf)
        self.count = 0  # solutions of the current system seen
        self.near: np.ndarray | None = None  # the latest of them
        self._capture()
        if family.points:
            self._take(np.column_stack(family.points))

    def _capture(self) -> None:
        self.monotone = self.family.monotone
        self.system = self.family.system()
        self.upper = _upper(self.family)

    def _take(self, points: np.ndarray) -> None:
        """Count the columns of `points` that solve the system exactly."""
        if self.rows is None:
            return
        if self.family.monotone != self.monotone:
            self._capture()  # the "only added" constraint was dropped: the system only got looser
        a_eq, b_eq, mono = self.system
        ok = (points >= 0).all(axis=0) & (points <= self.upper).all(axis=0)
        if a_eq.shape[0]:
            ok &= (a_eq @ points == b_eq[:, None]).all(axis=0)
        if mono is not None:
            ok &= (mono @ points <= 0).all(axis=0)
        if not ok.any():
            return
        self.count += int(ok.sum())
        self.near = points[:, np.flatnonzero(ok)[-1]]
        values = self.rows @ points[:, ok]
        self.low = np.minimum(self.low, values.min(axis=1))
        self.high = np.maximum(self.high, values.max(axis=1))

    def add(self, x: np.ndarray) -> None:
        whole = np.round(x)
        if np.allclose(x, whole, atol=1e-7):
            self._take(whole[:, None])

    @staticmethod
    def whole(x: np.ndarray) -> bool:
        """Whether a relaxation's optimum is a whole vector (then it is the integer
        optimum too; the same test as attacker.solve)."""
        return bool(np.allclose(x, np.round(x), atol=1e-7))

    def proves(self, i: int, k: int) -> bool:
        """Whether the solutions seen prove figure `i` safe."""
        low, high = self.low[i], self.high[i]
        if low == 0 or (low < high and high >= k):
            return True
        cell = self.cells[i]
        value = cell.value if cell.release == self.family.releases - 1 else None
        return value is not None and high >= max(k, value + 1)

    def toward(self, sign: int) -> np.ndarray | None:
        """The sum of the figures not yet proven safe, times `sign`, as an objective."""
        left = [i for i, c in enumerate(self.cells) if id(c) not in self.verified]
        if self.rows is None or not left:
            return None
        return sign * np.asarray(self.rows[left].sum(axis=0)).ravel()

    def prove(self, k: int, verified: set[int]) -> None:
        """Add to `verified` the figures these solutions prove safe."""
        current = self.family.releases - 1
        wide = (self.low == 0) | ((self.low < self.high) & (self.high >= k))
        for i, cell in enumerate(self.cells):
            if id(cell) in verified:
                continue
            value = cell.value if cell.release == current else None
            if wide[i] or (value is not None and self.high[i] >= max(k, value + 1)):
                verified.add(id(cell))

    def spread(self, k: int, verified: set[int]) -> None:
        """Solve for histories where the figures not yet proven safe are all as small as
        possible together (most reach 0 at once), then all as large (many reach k): a
        relaxed optimum that is a whole vector proves many figures safe with one solve
        instead of one or two each. Repeated while it proves more."""
        for sign in (1, -1):
            for _ in range(SPREAD_ROUNDS):
                objective = self.toward(sign)
                if objective is None or len(self.cells) - len(verified & self.ids) < 2:
                    break  # one figure: its own bounds cost the same
                found = _solve_in(self.family, objective, False)
                if found is None:
                    return
                self.add(found[1])
                before = len(verified)
                self.prove(k, verified)
                if len(verified) == before:
                    break


def _same(a: Cell, b: Cell) -> bool:
    return a.release == b.release and a.cat == b.cat and bool(np.array_equal(a.members, b.members))


def _hide(family: Family, pick: Cell) -> int:
    """Hide a figure and every other figure of this release that is the same number
    (Data at night appears in the Data view and in the night view)."""
    n = 0
    for cell in family.cells:
        if cell.shown and cell.candidate and _same(cell, pick):
            cell.shown = False
            cell.reason = COVER
            n += 1
            if family.on_hide is not None:
                family.on_hide(family, cell)
    return n


def _cover_order(family: Family, bad: Cell) -> list[Cell]:
    current = family.releases - 1
    pool = [
        c
        for c in family.cells
        if c.release == current and c.shown and c.candidate and not c.frozen and (c.value or 0) > 0
    ]

    def question(view: str) -> str | None:
        return None if view == EVERYONE else view.split("=")[0]

    def prefix(key: str) -> str:
        return key.split(":")[0] if ":" in key else ""

    def tier(c: Cell) -> int:
        if c.view == bad.view and prefix(c.key) == prefix(bad.key):
            return 0
        if c.key == bad.key and c.view != EVERYONE and question(c.view) == question(bad.view):
            return 1
        if c.view == bad.view:
            return 2
        if c.view != EVERYONE and question(c.view) == question(bad.view):
            return 3
        if c.view != EVERYONE:
            return 4
        if c.key == bad.key:
            return 5
        return 6

    return sorted(pool, key=lambda c: (tier(c), c.value or 0, c.view, c.key))


LOOKAHEAD = 16
MAX_POINTS = 64  # whole-number solutions kept per family
SPREAD_ROUNDS = 4


def protect(family: Family, k: int) -> int:
    """Hide more figures of the current release until every hidden figure is safe.
    Returns how many were hidden as cover.

    Hiding a figure removes a constraint, so bounds only widen: a figure found safe
    stays safe, and each is decided until it is (solutions already found prove most
    figures safe before any solve of their own: `decide`, `_Seen.spread`). For an
    unsafe one, the first cover (in `_cover_order`) that alone makes it safe is hidden;
    if none does, the first in order, and the search goes on. With no cover left in the family itself, every figure
    of it that grew is hidden; if that is still not enough, what pins the figure is a
    segment figure of this release (a team's size shown now narrows how that team
    answered before), and the closest is hidden here and listed in `escalated`."""
    added = 0
    verified: set[int] = set()
    while True:
        todo = [c for c in checked(family) if id(c) not in verified]
        seen = _Seen(family, todo, verified)
        seen.prove(k, verified)
        seen.spread(k, verified)
        bad = None
        for i, cell in enumerate(todo):
            if id(cell) in verified:
                continue
            if decide(family, cell, k, seen, i):
                verified.add(id(cell))
                seen.prove(k, verified)
            else:
                bad = cell
                break
        if bad is None:
            return added
        order = _cover_order(family, bad)
        hide = _hide
        if not order:
            # nothing left in this release that could cover it: hide everything that grew
            grown = [c for c in family.cells if c.release == family.releases - 1 and c.candidate and c.shown]
            for cell in grown:
                cell.shown, cell.reason = False, COVER
            added += len(grown)
            if grown:
                continue
            order, hide = _segment_order(family, bad), _escalate
            if not order:
                return added  # only the headline total is left, which is never hidden
        pick = order[0]
        pinned = _pinned_by(family, bad, k)
        for trial in order[:LOOKAHEAD]:
            before = [(c, c.shown, c.reason) for c in family.cells]
            escalated = len(family.escalated)
            hide(family, trial)
            removed = {id(c) for c, shown, _reason in before if shown and not c.shown}
            # hiding only figures the relaxation's bounds don't rest on moves neither bound
            unmoved = pinned is not None and removed <= pinned
            works = not unmoved and safe(*bound(family, bad, False, k), k)
            for c, shown, reason in before:
                c.shown, c.reason = shown, reason
            del family.escalated[escalated:]
            if works:
                pick = trial
                break
        added += hide(family, pick)


def _pinned_by(family: Family, bad: Cell, k: int) -> set[int] | None:
    """For a figure the linear relaxation alone shows unsafe, the shown figures whose
    multipliers are 0 in both the relaxed minimum and maximum; None if the relaxation
    finds it safe (only integers pin it) or has no solution.

    The multipliers are a dual solution. Removing equalities whose multipliers are 0
    leaves it a dual solution of the looser program with the same value, so both
    optima stay where they are: a trial cover made only of such figures leaves the
    relaxed bounds, and their unsafe verdict, unchanged without solving again."""
    row = family._row(bad)
    system = family.system()
    upper = _upper(family)
    high = _relax(-row, system, upper)
    low = _relax(row, system, upper)
    if high is None or low is None:
        return None
    value = bad.value if bad.release == family.releases - 1 else None
    if _verdict(value, low[0], -high[0], k):
        return None
    shown = [c for c in family.cells if c.shown and c.value is not None]
    zero = (np.abs(high[1]) < 1e-9) & (np.abs(low[1]) < 1e-9)
    return {id(c) for c, z in zip(shown, zero, strict=True) if z}


def _segment_order(family: Family, bad: Cell) -> list[Cell]:
    """A question family's copies of this release's segment figures, closest first:
    breakdowns inside a group's view before the everyone view's group sizes (hiding a
    size withholds the group's whole view), the bad figure's own view first."""
    current = family.releases - 1
    pool = [
        c
        for c in family.cells
        if c.release == current and c.cat is None and c.shown and c.key != "n" and not c.frozen and (c.value or 0) > 0
    ]
    return sorted(pool, key=lambda c: (c.view == EVERYONE, c.view != bad.view, c.value or 0, c.view, c.key))


def _escalate(family: Family, pick: Cell) -> int:
    """Hide a segment figure in this family's system (and every copy that is the same
    number), and list it for the segment stage to hide for real."""
    n = 0
    for cell in family.cells:
        if cell.shown and cell.cat is None and _same(cell, pick):
            cell.shown, cell.reason = False, COVER
            family.escalated.append(cell)
            n += 1
    return n


def primary(cells: Iterable[Cell], k: int) -> None:
    """The k-rule: a cell of a breakdown by group holding 1..k-1 people is hidden."""
    for cell in cells:
        if cell.sensitive and cell.shown and cell.value is not None and 0 < cell.value < k and not cell.frozen:
            cell.shown = False
            cell.reason = SMALL

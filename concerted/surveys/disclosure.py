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

For each hidden figure it minimises and maximises the figure under those constraints
(scipy's HiGHS: first the linear relaxation, then `milp` with integrality). A hidden
figure is *safe* when its bound is neither one exact number nor inside 1..k-1. While
some hidden figure is unsafe, one more shown figure is hidden (closest first: same
view, then sibling views, then the rest; the everyone view last, so headline figures
stay), and the solver runs again. Hiding everything that grew is always safe, so this
ends."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from concerted.core.attacker import optimum as _optimum
from concerted.core.attacker import safe

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

    def _sparse_row(self, cell: Cell) -> sparse.csr_matrix:
        cache = self.__dict__.setdefault("_rows", {})
        if id(cell) not in cache:
            cache[id(cell)] = sparse.csr_matrix(self._row(cell))
        return cache[id(cell)]

    def system(self) -> tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix | None]:
        shown = [c for c in self.cells if c.shown and c.value is not None]
        key = (tuple(id(c) for c in shown), self.monotone)
        cached = self.__dict__.get("_system")
        if cached is not None and cached[0] == key:
            return cached[1]
        nvars = self.releases * self.n_combos * self.n_cats
        if shown:
            a_eq = sparse.vstack([self._sparse_row(c) for c in shown]).tocsr()
        else:
            a_eq = sparse.csr_matrix((0, nvars))
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


def bound(family: Family, cell: Cell, integer: bool, k: int | None = None) -> tuple[float, float]:
    """The attacker's best bounds on one figure (whole numbers with `integer`). With `k`
    and a known true value, the minimum is skipped when the maximum already shows the
    figure is safe. An infeasible system (responses removed since an earlier release)
    is retried without the "only added" constraint."""
    row = family._row(cell)
    upper = _upper(family)
    high = _optimum(-row, family.system(), upper, integer)
    if high is None and family.monotone:
        family.monotone = False
        high = _optimum(-row, family.system(), upper, integer)
    if high is None:
        return 0.0, upper
    hi = -high
    value = cell.value if cell.release == family.releases - 1 else None
    if k is not None and value is not None and math.floor(hi + 1e-6) >= max(k, value + 1):
        return float(min(value, 0)), hi  # the minimum is <= value < maximum: wide either way
    low = _optimum(row, family.system(), upper, integer)
    return (0.0 if low is None else low), hi


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


def protect(family: Family, k: int) -> int:
    """Hide more figures of the current release until every hidden figure is safe.
    Returns how many were hidden as cover.

    Hiding a figure removes a constraint, so bounds only widen: a figure found safe
    stays safe, and each is solved until it is. For an unsafe one, the first cover (in
    `_cover_order`) that alone makes it safe is hidden; if none does, the first in
    order, and the search goes on. With no cover left in the family itself, every figure
    of it that grew is hidden; if that is still not enough, what pins the figure is a
    segment figure of this release (a team's size shown now narrows how that team
    answered before), and the closest is hidden here and listed in `escalated`."""
    added = 0
    verified: set[int] = set()
    while True:
        bad = None
        for cell in checked(family):
            if id(cell) in verified:
                continue
            if safe(*bound(family, cell, True, k), k):
                verified.add(id(cell))
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
        for trial in order[:LOOKAHEAD]:
            before = [(c, c.shown, c.reason) for c in family.cells]
            escalated = len(family.escalated)
            hide(family, trial)
            works = safe(*bound(family, bad, False, k), k)
            for c, shown, reason in before:
                c.shown, c.reason = shown, reason
            del family.escalated[escalated:]
            if works:
                pick = trial
                break
        added += hide(family, pick)


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

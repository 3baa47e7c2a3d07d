"""Group breakdowns that change only at releases, audited against every earlier release
(DESIGN invariants 4 and 11).

A petition's or card drive's "by group" table is read by every member of the
committee, and a read-only member may be the employer's informant. Computed live, it
gives away each arrival: the page before and after one signature differs in exactly the
group the signer chose. Released with the public count instead (concerted.core.releases),
it still could: two releases apart, "Nights 7" becoming "Nights 8" says one Night-shift
person signed between 12:00 and 16:00, however many others signed elsewhere.

So each release's breakdown is chosen here, against everything shown before:

- the single-release rule first (`kanon.suppress`: groups under k, empty ones included,
  and their complements hidden);
- then an attacker who holds every earlier released breakdown and total of this subject,
  and knows that signatures are mostly only added, bounds with linear and integer
  programming (`concerted.core.attacker`):
  - every hidden figure of every release (not one exact number, not inside 1..k-1);
  - how much each group changed between consecutive releases, and between each earlier
    release and this one (not pinned inside 1..k-1, in either direction);
- while any of those is unsafe, one more group of this release is hidden (the one that
  fixes it, else the smallest), and the attacker tries again. Hiding every group is
  always possible; what is left then is the public totals, which are public anyway.

A group therefore stays hidden until it has grown by at least k since it was last shown,
or until others hide it well enough. Changes between two *earlier* releases are checked
where one end is this release or the two are consecutive; a span between two earlier
releases that are both shown is checked directly."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from .attacker import safe, safe_change, solve, whole
from .kanon import MIN_COUNT, Cell, suppress

# How many cover choices are tried for one unsafe figure before the smallest is taken.
LOOKAHEAD = 8

Shown = dict[str, int | None]


def stored(shown: Shown) -> list[list[Any]]:
    """A breakdown as JSON keeps it: [label, n or None] pairs, because PostgreSQL's
    jsonb doesn't keep an object's key order and the table's order matters."""
    return [[label, count] for label, count in shown.items()]


def shown_in(figures: Mapping[str, Any]) -> Shown:
    """The breakdown stored in a release's figures or history entry, in its order."""
    return {label: count for label, count in figures.get("groups") or []}


def cells(figures: Mapping[str, Any]) -> list[Cell]:
    """A release's stored breakdown as table cells, in the order it was released."""
    return [Cell(label, count) for label, count in shown_in(figures).items()]


def entry(at: str | None, total: int, groups: Shown) -> dict[str, Any]:
    """One release as the audit keeps it (Release.history)."""
    return {"at": at, "total": total, "groups": stored(groups)}


class _Audit:
    """The attacker's system over releases 0..R-1 of one subject, R-1 being the one
    about to be made: unknown y[r, g], people of group g in release r."""

    def __init__(self, history: Sequence[Mapping[str, Any]], counts: Mapping[str, int], k: int) -> None:
        self.k = k
        self.labels = list(counts)
        for past in history:
            self.labels += [label for label in shown_in(past) if label not in self.labels]
        self.history = list(history)
        self.counts = counts
        self.releases = len(history) + 1
        self.groups = len(self.labels)
        totals = [int(past.get("total") or 0) for past in history] + [sum(counts.values())]
        self.totals = totals
        self.upper = float(max([*totals, 1]))
        self.monotone = True
        self.verified: set[tuple] = set()
        self._systems: dict[tuple, tuple] = {}
        # Whole-number histories the solver found that agree with everything shown.
        # Hiding more only adds histories, so each stays valid; two of them giving an
        # objective 0 and k-or-more (or, for a figure, two values not both in 1..k-1)
        # prove it safe without solving: most objectives are settled this way.
        self.witnesses: list[np.ndarray] = []

    @property
    def current(self) -> int:
        return self.releases - 1

    def var(self, release: int, label: str) -> int:
        return release * self.groups + self.labels.index(label)

    def shown_in(self, release: int, shown_now: Shown) -> Shown:
        if release == self.current:
            return shown_now
        return shown_in(self.history[release])

    def system(self, shown_now: Shown) -> tuple:
        key = (tuple(shown_now.items()), self.monotone)
        if key not in self._systems:
            self._systems[key] = self._build(shown_now)
        return self._systems[key]

    def _build(self, shown_now: Shown) -> tuple:
        n = self.releases * self.groups
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for r in range(self.releases):
            # the released total: the sum of the release's groups
            rows += [len(values)] * self.groups
            cols += list(range(r * self.groups, (r + 1) * self.groups))
            values.append(float(self.totals[r]))
            for label, value in self.shown_in(r, shown_now).items():
                if value is not None:
                    rows.append(len(values))
                    cols.append(self.var(r, label))
                    values.append(float(value))
        a_eq = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(values), n))
        a_ub = None
        if self.monotone and self.releases > 1:
            m = n - self.groups  # y[r-1, g] - y[r, g] <= 0 for r >= 1
            earlier = np.arange(m)
            data = np.concatenate([np.ones(m), -np.ones(m)])
            a_ub = sparse.csr_matrix(
                (data, (np.concatenate([earlier, earlier]), np.concatenate([earlier, earlier + self.groups]))),
                shape=(m, n),
            )
        return a_eq, np.array(values), a_ub

    def bounds(
        self, objective: np.ndarray, shown_now: Shown, integer: bool, trial: bool = False
    ) -> tuple[float, float] | None:
        """min and max of objective·y; None when even without "only added" (people
        withdrew) the figures admit no solution, which can't be judged safe. A `trial`
        hides more than is decided, so what it finds is no witness."""
        while True:
            system = self.system(shown_now)
            high = solve(-objective, system, self.upper, integer)
            low = solve(objective, system, self.upper, integer) if high is not None else None
            if high is not None and low is not None:
                for _value, point in () if trial else (high, low):
                    if np.allclose(point, np.round(point), atol=1e-7):
                        self.witnesses.append(np.round(point))
                return low[0], -high[0]
            if not self.monotone:
                return None
            self.monotone = False

    def witnessed_safe(self, objective: np.ndarray, change: bool) -> bool:
        if len(self.witnesses) < 2:
            return False
        values = np.stack(self.witnesses) @ objective
        lo, hi = whole(float(values.min()), float(values.max()))
        if lo == hi:
            return False
        # The attacker's bounds are at least this wide: safe if these already are.
        return safe_change(lo, hi, self.k) if change else safe(lo, hi, self.k)

    def objectives(self, shown_now: Shown) -> Iterator[tuple[tuple, np.ndarray, bool]]:
        """(key, objective, is a change) for everything the attacker must not pin down
        that the solver is needed for."""
        n = self.releases * self.groups
        for r in range(self.releases):
            for label, value in self.shown_in(r, shown_now).items():
                if value is None:
                    row = np.zeros(n)
                    row[self.var(r, label)] = 1.0
                    yield ("value", r, label), row, False
        for label in self.labels:
            pairs = {(r - 1, r) for r in range(1, self.releases)}
            pairs |= {(r, self.current) for r in range(self.current)}
            for before, after in sorted(pairs):
                shown_before = self.shown_in(before, shown_now).get(label)
                shown_after = self.shown_in(after, shown_now).get(label)
                if shown_before is not None and shown_after is not None:
                    continue  # exact: steps_clear() checked it
                row = np.zeros(n)
                row[self.var(after, label)] = 1.0
                row[self.var(before, label)] = -1.0
                yield ("change", before, after, label), row, True

    def steps_clear(self, label: str, value: int) -> bool:
        """Showing `value` now moves the group by 0 or at least k from every value an
        earlier release showed for it (both ends shown: no solver needed)."""
        return all(
            safe_change(value - past, value - past, self.k)
            for r in range(self.current)
            if (past := self.shown_in(r, {}).get(label)) is not None
        )

    def is_safe(
        self, objective: np.ndarray, change: bool, shown_now: Shown, integer: bool, trial: bool = False
    ) -> bool:
        found = self.bounds(objective, shown_now, integer, trial)
        if found is None:
            return False
        return safe_change(*found, self.k) if change else safe(*found, self.k)

    def first_unsafe(self, shown_now: Shown) -> tuple[tuple, np.ndarray, bool] | None:
        for key, objective, change in self.objectives(shown_now):
            if key in self.verified:
                continue
            if self.witnessed_safe(objective, change) or self.is_safe(objective, change, shown_now, integer=True):
                # hiding more only removes constraints: what is safe now stays safe
                self.verified.add(key)
            else:
                return key, objective, change
        return None


def protect(history: Sequence[Mapping[str, Any]], counts: Mapping[str, int], k: int = MIN_COUNT) -> Shown:
    """The breakdown to release now: `counts` (label -> people, in display order) with
    the figures that can't be shown set to None. `history` is every earlier release of
    this subject, oldest first, as `entry()` stored it."""
    if not counts:
        return {}
    shown: Shown = {cell.label: cell.count for cell in suppress(counts, k)}
    audit = _Audit(history, counts, k)
    while True:
        for label, value in list(shown.items()):
            if value is not None and not audit.steps_clear(label, value):
                shown[label] = None
        bad = audit.first_unsafe(shown)
        if bad is None:
            return shown
        _key, objective, change = bad
        cover = sorted((label for label, v in shown.items() if v is not None), key=lambda label: counts[label])
        if not cover:
            return shown  # everything is hidden: only the public totals are left
        pick = cover[0]
        for trial in cover[:LOOKAHEAD]:
            attempt = dict(shown) | {trial: None}
            if audit.is_safe(objective, change, attempt, integer=False, trial=True):
                pick = trial
                break
        shown[pick] = None

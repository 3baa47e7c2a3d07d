"""The disclosure audit as it was before solutions were reused (kept to check the
faster one against): every hidden figure gets its own integer programs, max then min.

`protect` here takes the same Family and makes the same moves as disclosure.protect;
tests/test_disclosure_same.py asserts both hide the same figures for the same reasons,
and bench/bench_release_small.py --before times it."""

from __future__ import annotations

import math

from concerted.core.attacker import optimum, safe
from concerted.surveys.disclosure import (
    COVER,
    LOOKAHEAD,
    Cell,
    Family,
    _cover_order,
    _escalate,
    _hide,
    _segment_order,
    _upper,
    checked,
)


def bound(family: Family, cell: Cell, integer: bool, k: int | None = None) -> tuple[float, float]:
    row = family._row(cell)
    upper = _upper(family)
    high = optimum(-row, family.system(), upper, integer)
    if high is None and family.monotone:
        family.monotone = False
        high = optimum(-row, family.system(), upper, integer)
    if high is None:
        return 0.0, upper
    hi = -high
    value = cell.value if cell.release == family.releases - 1 else None
    if k is not None and value is not None and math.floor(hi + 1e-6) >= max(k, value + 1):
        return float(min(value, 0)), hi
    low = optimum(row, family.system(), upper, integer)
    return (0.0 if low is None else low), hi


def protect(family: Family, k: int) -> int:
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
            grown = [c for c in family.cells if c.release == family.releases - 1 and c.candidate and c.shown]
            for cell in grown:
                cell.shown, cell.reason = False, COVER
            added += len(grown)
            if grown:
                continue
            order, hide = _segment_order(family, bad), _escalate
            if not order:
                return added
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

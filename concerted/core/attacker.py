"""The attacker's arithmetic, shared by every audit of released figures (DESIGN
invariants 4 and 11): the tightest bounds anyone can put on a figure, given every
figure shown so far, with linear and integer programming (scipy's HiGHS).

No Django here. A *system* is `(a_eq, b_eq, a_ub)`: the shown figures as equalities
`a_eq @ y == b_eq`, and optionally "only ever added" as `a_ub @ y <= 0`
(y[r-1] - y[r] <= 0), over unknown whole numbers 0 <= y <= upper.

`solve` optimises; `find` only asks whether a whole-number solution with a figure in a
given range exists, which is far cheaper and is all a safety verdict needs."""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp


def _linprog_system(system: tuple) -> dict:
    """linprog's arguments for the system: its equalities, and `a_ub·y <= 0` if any."""
    a_eq, b_eq, a_ub = system
    kwargs: dict = {"method": "highs"}
    if a_eq.shape[0]:
        kwargs |= {"A_eq": a_eq, "b_eq": b_eq}
    if a_ub is not None:
        kwargs |= {"A_ub": a_ub, "b_ub": np.zeros(a_ub.shape[0])}
    return kwargs


def solve(objective: np.ndarray, system: tuple, upper: float, integer: bool) -> tuple[float, np.ndarray] | None:
    """min objective·y and a y that reaches it, or None when the system has no solution.
    With `integer`, the relaxation first: when its optimum is a whole vector it is the
    integer optimum too; otherwise `milp` decides."""
    a_eq, b_eq, a_ub = system
    relaxed = linprog(objective, bounds=(0, upper), **_linprog_system(system))
    if relaxed.status != 0:
        return None
    if not integer or np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
        return float(relaxed.fun), relaxed.x
    constraints = []
    if a_eq.shape[0]:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    if a_ub is not None:
        constraints.append(LinearConstraint(a_ub, -np.inf, 0))
    found = milp(objective, constraints=constraints, integrality=np.ones(objective.size), bounds=Bounds(0, upper))
    return None if found.status != 0 else (float(found.fun), found.x)


def relax(objective: np.ndarray, system: tuple, upper: float) -> tuple[float, np.ndarray] | None:
    """min objective·y of the linear relaxation and the multipliers of the equalities (a
    dual solution), or None when it has no solution."""
    a_eq = system[0]
    found = linprog(objective, bounds=(0, upper), **_linprog_system(system))
    if found.status != 0:
        return None
    marginals = found.eqlin.marginals if a_eq.shape[0] else np.zeros(0)
    return float(found.fun), np.asarray(marginals)


UNKNOWN = "unknown"


def find(
    system: tuple,
    upper: float,
    row: np.ndarray,
    low: float,
    high: float,
    objective: np.ndarray | None = None,
    near: np.ndarray | None = None,
) -> np.ndarray | str | None:
    """A whole-number solution y of the system with low <= row·y <= high, None when the
    solver proves there is none, or UNKNOWN when it stops without deciding.

    The relaxation first: when it has no solution neither has the integer program, and
    when its optimum (of `objective`, any vertex without one) is a whole vector, that is
    an answer. With `near`, a whole-number solution of the system (without the new
    bounds), the unknowns on which it and the relaxed optimum agree are fixed there and
    a much smaller integer program tries the rest: a solution of it solves the whole
    one. Otherwise (or if it finds none) `milp` decides on everything; asked only
    whether such a y exists, HiGHS stops at the first one it finds."""
    a_eq, b_eq, a_ub = system
    cost = np.zeros(row.size) if objective is None else objective
    kwargs: dict = {"method": "highs"}
    if a_eq.shape[0]:
        kwargs |= {"A_eq": a_eq, "b_eq": b_eq}
    extra = sparse.csr_matrix(np.vstack([row, -row]))
    limits = np.array([high, -low])
    keep = np.isfinite(limits)
    a_ub_all = sparse.vstack([a_ub, extra[keep]]) if a_ub is not None else extra[keep]
    b_ub_all = np.concatenate([np.zeros(a_ub.shape[0]), limits[keep]]) if a_ub is not None else limits[keep]
    if a_ub_all.shape[0]:
        kwargs |= {"A_ub": a_ub_all, "b_ub": b_ub_all}
    relaxed = linprog(cost, bounds=(0, upper), **kwargs)
    if relaxed.status == 2:
        return None
    if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
        return relaxed.x
    constraints = [LinearConstraint(row[None, :], low, high)]
    if a_eq.shape[0]:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    if a_ub is not None:
        constraints.append(LinearConstraint(a_ub, -np.inf, 0))
    lower_bounds, upper_bounds = np.zeros(row.size), np.full(row.size, float(upper))
    if near is not None and relaxed.status == 0:
        fixed = np.abs(relaxed.x - near) < 1e-9
        lb, ub = lower_bounds.copy(), upper_bounds.copy()
        lb[fixed] = ub[fixed] = near[fixed]
        found = _first(cost, constraints, lb, ub)
        if found.x is not None and found.status in (0, 1):
            return found.x
    found = _first(cost, constraints, lower_bounds, upper_bounds)
    if found.x is not None and found.status in (0, 1):
        return found.x
    return None if found.status == 2 else UNKNOWN


def _first(cost: np.ndarray, constraints: list, lb: np.ndarray, ub: np.ndarray):  # type: ignore[no-untyped-def]
    """`milp` stopping at its first whole-number solution (an infinite gap): any one answers."""
    return milp(
        cost,
        constraints=constraints,
        integrality=np.ones(cost.size),
        bounds=Bounds(lb, ub),
        options={"mip_rel_gap": np.inf},
    )


def optimum(objective: np.ndarray, system: tuple, upper: float, integer: bool) -> float | None:
    """min objective·y, or None when the system has no solution (see solve())."""
    found = solve(objective, system, upper, integer)
    return None if found is None else found[0]


def whole(low: float, high: float) -> tuple[int, int]:
    """Solver bounds as the whole numbers they allow."""
    return math.ceil(low - 1e-6), math.floor(high + 1e-6)


def safe(low: float, high: float, k: int) -> bool:
    """A hidden figure is safe when its bounds are not one exact number and not inside
    1..k-1. Exactly 0 is allowed: it names nobody, and zero cells are shown anyway (a
    withheld group's "nobody on nights" follows from the shown "nights: 0")."""
    lo, hi = whole(low, high)
    return not ((lo >= hi and hi > 0) or (lo >= 1 and hi <= k - 1))


def safe_change(low: float, high: float, k: int) -> bool:
    """How much a figure changed between two releases is safe unless it is pinned inside
    1..k-1 people (arrivals) or -(k-1)..-1 (withdrawals): "between 12:00 and 16:00, 1 to
    4 people joined from nights" singles them out. 0, or at least k, is the release rule's
    own step; bounds that include 0 say nobody for certain."""
    lo, hi = whole(low, high)
    return not ((lo >= 1 and hi <= k - 1) or (hi <= -1 and lo >= -(k - 1)))

"""The informant, written apart from concerted.surveys.disclosure so a bug there can't
hide itself: from the stored releases alone (what pages, CSV and brief show), bound
every hidden figure with integer programming (scipy.optimize.milp).

Unknowns: for each release r, segment combination s and category c of a family, how
many respondents y[r, s, c]. Known: every shown figure of every release, responses only
ever added (y[r] >= y[r-1]), whole numbers >= 0."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from concerted.surveys.results import segment_questions


@dataclass
class Found:
    release: int
    family: str
    view: str
    key: str
    low: int
    high: int

    def exact_or_small(self, k: int = 5) -> bool:
        # exactly 0 names nobody (zero cells are shown, and imply such zeros)
        return (self.low == self.high and self.high > 0) or (self.low >= 1 and self.high <= k - 1)


def _combos(survey):
    seg = segment_questions(survey)
    radices = [len(q.option_list()) + 1 for q in seg]
    return seg, radices, list(itertools.product(*[range(r) for r in radices]))


def _members(view: str, key: str | None, seg, radices, combos) -> np.ndarray:
    index = {q.pk: i for i, q in enumerate(seg)}
    ok = np.ones(len(combos), dtype=bool)
    if view != "all":
        qid, value = view.split("=")
        i = index[int(qid)]
        ok &= np.array([c[i] == int(value) for c in combos])
    if key is not None and ":" in key:
        qid, value = key.split(":")
        i = index[int(qid)]
        code = radices[i] - 1 if value == "-" else int(value)
        ok &= np.array([c[i] == code for c in combos])
    return ok


def attack(survey, cells_by_release: list[dict], k: int = 5) -> list[Found]:
    """Bounds of every hidden figure in every family of every release given."""
    seg, radices, combos = _combos(survey)
    n_s = len(combos)
    R = len(cells_by_release)
    families = sorted({f for cells in cells_by_release for f in cells})
    found: list[Found] = []
    for family in families:
        if family == "seg":
            cats = [None]
        else:
            cats = list(cells_by_release[-1][family]["all"].keys())
        n_c = len(cats)
        size = n_s * n_c
        nvars = R * size
        rows, rhs, targets = [], [], []

        def row_for(r: int, view: str, key: str, fam: str, cats=cats, n_c=n_c, size=size, nvars=nvars):
            row = np.zeros(nvars)
            block = np.zeros((n_s, n_c))
            if fam == "seg":
                block[_members(view, key if key != "n" else None, seg, radices, combos), :] = 1
            else:
                block[_members(view, None, seg, radices, combos), cats.index(key)] = 1
            row[r * size : (r + 1) * size] = block.ravel()
            return row

        for r, cells in enumerate(cells_by_release):
            for fam in {family, "seg"}:
                for view, figures in cells.get(fam, {}).items():
                    for key, value in figures.items():
                        row = row_for(r, view, key, fam)
                        if value is None:
                            targets.append((r, fam, view, key, row))
                        else:
                            rows.append(row)
                            rhs.append(value)
        constraints = []
        if rows:
            a = np.vstack(rows)
            constraints.append(LinearConstraint(a, rhs, rhs))
        if R > 1:
            mono = np.zeros(((R - 1) * size, nvars))
            for r in range(1, R):
                for j in range(size):
                    mono[(r - 1) * size + j, (r - 1) * size + j] = 1
                    mono[(r - 1) * size + j, r * size + j] = -1
            constraints.append(LinearConstraint(mono, -np.inf, 0))
        top = max(cells["seg"]["all"]["n"] for cells in cells_by_release)
        for r, fam, view, key, row in targets:
            lo = milp(row, constraints=constraints, integrality=np.ones(nvars), bounds=Bounds(0, top))
            hi = milp(-row, constraints=constraints, integrality=np.ones(nvars), bounds=Bounds(0, top))
            assert lo.status == 0 and hi.status == 0, (fam, view, key, lo.message, hi.message)
            found.append(Found(r, fam, view, key, round(lo.fun), round(-hi.fun)))
    return found

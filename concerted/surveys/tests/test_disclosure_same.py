"""The faster audit hides exactly what the audit it replaced hid.

disclosure.protect reuses whole-number solutions and asks the solver yes/no questions
instead of solving two integer programs per hidden figure. It must reach the same
verdict on every figure, so on fixed random surveys with many small groups (first and
second releases) the figures it hides, and why, are compared with the old audit
(tests/disclosure_reference.py). A second test counts the solver calls on one of them,
which is what made "Release the results" take seconds to minutes on a small unit."""

from __future__ import annotations

import numpy as np
import pytest

from concerted.core import attacker
from concerted.surveys import disclosure, releases
from concerted.surveys.models import MISSING, Question
from concerted.surveys.results import from_array

from . import disclosure_reference

pytestmark = pytest.mark.django_db


def random_values(survey, n: int, seed: int) -> np.ndarray:
    """n responses: skewed segment answers (so groups are small), some skipped."""
    rng = np.random.default_rng(seed)
    columns = []
    for q in survey.ordered_questions():
        k = len(q.option_list())
        if q.kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
            p = np.arange(k, 0, -1, dtype=float) ** 2 if q.segment else np.ones(k)
            col = rng.choice(k, size=n, p=p / p.sum())
            columns.append(col[:, None])
        elif q.kind == Question.Kind.MULTI:
            columns.append(rng.integers(0, 2**k, size=n)[:, None])
        elif q.kind == Question.Kind.RANK:
            columns.append(np.argsort(rng.random((n, k)), axis=1) + 1)
        elif q.kind == Question.Kind.NUMBER:
            columns.append(rng.integers(0, 40, size=n)[:, None])
    values = np.concatenate(columns, axis=1).astype(np.int32)
    values[rng.random(values.shape) < 0.05] = MISSING
    assert values.shape[1] == survey.slot_count()
    return values


def pattern(release) -> tuple:
    return release.data["cells"], release.data["reasons"], release.data["shown_views"]


def two_releases(survey, values: np.ndarray) -> list:
    """A first release of `values`, and a second one with every response given twice
    (each view shown in the first then gains at least k)."""
    first = releases.prepare(survey, from_array(survey, values), [])
    second = releases.prepare(survey, from_array(survey, np.concatenate([values, values])), [first])
    return [first, second]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("n", [12, 40])
def test_it_hides_the_same_figures_as_the_audit_it_replaces(published, monkeypatch, seed, n):
    published.forget_questions()
    values = random_values(published, n, seed)
    new = [pattern(r) for r in two_releases(published, values)]
    monkeypatch.setattr(disclosure, "protect", disclosure_reference.protect)
    old = [pattern(r) for r in two_releases(published, values)]
    assert new == old


@pytest.mark.parametrize("seed", [4, 5])
def test_it_hides_the_same_figures_on_a_survey_of_every_kind(ai_survey, monkeypatch, seed):
    ai_survey.forget_questions()
    values = random_values(ai_survey, 25, seed)
    new = [pattern(r) for r in two_releases(ai_survey, values)]
    assert any(v is None for views in new[0][0].values() for f in views.values() for v in f.values())
    monkeypatch.setattr(disclosure, "protect", disclosure_reference.protect)
    old = [pattern(r) for r in two_releases(ai_survey, values)]
    assert new == old


def test_it_runs_far_fewer_integer_programs(ai_survey, monkeypatch):
    ai_survey.forget_questions()
    values = random_values(ai_survey, 25, 4)
    calls = {"linprog": 0, "milp": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(attacker, "linprog", counted("linprog", attacker.linprog))
    monkeypatch.setattr(attacker, "milp", counted("milp", attacker.milp))
    releases.prepare(ai_survey, from_array(ai_survey, values), [])
    new = dict(calls)
    calls.update(linprog=0, milp=0)
    monkeypatch.setattr(disclosure, "protect", disclosure_reference.protect)
    releases.prepare(ai_survey, from_array(ai_survey, values), [])
    old = dict(calls)
    assert new["linprog"] + new["milp"] * 10 < (old["linprog"] + old["milp"] * 10) / 4, (new, old)


@pytest.mark.parametrize("seed", [6, 7])
def test_it_gives_each_figure_the_verdict_the_old_bounds_give(ai_survey, monkeypatch, seed):
    """Figure by figure, before any cover is hidden (where most figures are unsafe, so
    the solver's "no" answers are exercised too)."""
    verdicts: list[bool] = []
    protect = disclosure.protect

    def compare(family, k):
        cells = disclosure.checked(family)
        seen = disclosure._Seen(family, cells, set())
        for i, cell in enumerate(cells):
            old = attacker.safe(*disclosure_reference.bound(family, cell, True, k), k)
            assert disclosure.decide(family, cell, k, seen, i) == old, (cell.view, cell.key, cell.value)
            verdicts.append(old)
        return protect(family, k)

    monkeypatch.setattr(disclosure, "protect", compare)
    ai_survey.forget_questions()
    two_releases(ai_survey, random_values(ai_survey, 30, seed))
    assert True in verdicts and False in verdicts

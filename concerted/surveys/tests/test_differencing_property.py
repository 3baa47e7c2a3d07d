"""Property test of the filter rules: whatever the data, an allowed filtered view never
differs from a wider view by 1-4 people, and the groups that can't be viewed never
add up to 1-4 people (so they can't be recovered as total minus the viewable ones)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerted.surveys import results
from concerted.surveys.models import MISSING

pytestmark = pytest.mark.django_db
K = 5

rows = st.lists(st.tuples(st.integers(-1, 2), st.integers(-1, 1), st.integers(-1, 1)), min_size=0, max_size=70)


def matrix_for(survey, data):
    values = np.array([[MISSING if v < 0 else v for v in row] for row in data], dtype=np.int32).reshape(-1, 3)
    return results.from_array(survey, values)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows)
def test_allowed_views_never_isolate_a_small_group(survey, data):
    survey.forget_questions()
    matrix = matrix_for(survey, data)
    team, shift = survey.ordered_questions()[:2]
    options = {team.pk: range(3), shift.pk: range(2)}
    filters = []
    for qids in ([team.pk], [shift.pk], [team.pk, shift.pk]):
        for values in itertools.product(*(options[q] for q in qids)):
            filters.append(dict(zip(qids, values, strict=True)))
    allowed = [f for f in filters if results.refusal(matrix, f, K) is None]
    for f in allowed:
        n = int(results.mask_for(matrix, f).sum())
        assert n >= K
        for r in range(len(f)):
            for wider in itertools.combinations(sorted(f.items()), r):
                diff = int(results.mask_for(matrix, dict(wider)).sum()) - n
                assert diff == 0 or diff >= K, (f, wider, diff)
    if matrix.n < K:
        assert not allowed  # nothing at all is shown below K respondents
        return
    # Single-condition views of one question: what can't be viewed can't be recovered.
    for q in (team, shift):
        viewable = [f[q.pk] for f in allowed if list(f) == [q.pk]]
        col = matrix.values[:, matrix.layout[q.pk][0]]
        rest = int(np.isin(col, viewable, invert=True).sum())
        assert rest == 0 or rest >= K, (q.text, viewable, rest)

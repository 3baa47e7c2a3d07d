from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concerted.cards.models import BargainingUnit, majority_needed, percent_needed, showing_needed


@pytest.mark.parametrize(
    ("size", "showing", "majority"),
    [(1, 1, 1), (2, 1, 2), (3, 1, 2), (4, 2, 3), (10, 3, 6), (11, 4, 6), (20, 6, 11), (100, 30, 51), (101, 31, 51)],
)
def test_it_computes_the_showing_and_the_majority_at_the_edges(size, showing, majority):
    assert showing_needed(size) == showing
    assert majority_needed(size) == majority


def test_exactly_thirty_percent_is_enough_without_float_error():
    # 0.30 * 10 is 3.0000000000000004 in floating point; ceil of that would wrongly be 4.
    assert showing_needed(10) == 3
    assert showing_needed(30) == 9
    assert showing_needed(70) == 21
    assert showing_needed(1000) == 300
    assert percent_needed(100, 30) == 30


def test_exactly_half_is_not_a_majority():
    for size in (2, 4, 10, 100):
        assert majority_needed(size) == size // 2 + 1
        assert majority_needed(size) > size / 2
        assert majority_needed(size) - 1 == size / 2  # exactly half falls one short


@pytest.mark.parametrize(
    ("size", "pct", "needed"), [(1, 65, 1), (10, 65, 7), (10, 60, 6), (10, 70, 7), (11, 70, 8), (3, 100, 3)]
)
def test_it_computes_the_committee_goal(size, pct, needed):
    unit = BargainingUnit(size=size, supermajority_percent=pct)
    assert unit.goal_needed() == needed


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=100))
def test_percent_needed_is_the_smallest_count_at_or_above_the_share(size, pct):
    needed = percent_needed(size, pct)
    assert Fraction(needed, 1) >= Fraction(size * pct, 100)
    assert needed == 0 or Fraction(needed - 1, 1) < Fraction(size * pct, 100)


@given(st.integers(min_value=1, max_value=10**7))
def test_majority_is_the_smallest_count_over_half(size):
    needed = majority_needed(size)
    assert 2 * needed > size
    assert 2 * (needed - 1) <= size


def test_it_refuses_nonsense():
    with pytest.raises(ValueError):
        percent_needed(-1, 30)
    with pytest.raises(ValueError):
        percent_needed(10, 101)
    with pytest.raises(ValueError):
        majority_needed(-1)

from __future__ import annotations

from concerted.core.kanon import show_count, suppress


def shown(cells):
    return {c.label: c.count for c in cells}


def test_it_shows_everything_when_all_cells_are_large():
    assert shown(suppress({"a": 5, "b": 9})) == {"a": 5, "b": 9}


def test_it_hides_a_small_cell_and_the_next_smallest():
    result = shown(suppress({"a": 3, "b": 6, "c": 20}))
    assert result == {"a": None, "b": None, "c": 20}


def test_subtraction_from_the_total_cannot_recover_a_hidden_cell():
    counts = {"a": 1, "b": 7, "c": 8, "d": 30}
    result = shown(suppress(counts))
    total = sum(counts.values())
    known = sum(v for v in result.values() if v is not None)
    hidden = [k for k, v in result.items() if v is None]
    assert "a" in hidden and len(hidden) >= 2
    assert total - known >= 5


def test_two_small_cells_whose_sum_is_small_pull_in_a_third():
    result = shown(suppress({"a": 1, "b": 2, "c": 6, "d": 40}))
    assert result["a"] is None and result["b"] is None and result["c"] is None
    assert result["d"] == 40


def test_zero_cells_are_hidden_like_small_ones():
    # A shown 0 turning into "hidden" would show a group's first arrival.
    assert shown(suppress({"a": 0, "b": 2, "c": 10})) == {"a": None, "b": None, "c": None}
    assert shown(suppress({"a": 0, "b": 0, "c": 6, "d": 30})) == {"a": None, "b": None, "c": None, "d": 30}


def test_a_lone_small_cell_with_nothing_to_pair_is_hidden():
    assert shown(suppress({"a": 3})) == {"a": None}


def test_show_count_threshold():
    assert show_count(4) is None
    assert show_count(5) == 5

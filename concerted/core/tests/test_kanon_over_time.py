"""An empty group looks like a small one (DESIGN invariants 4 and 11).

What the outside tester saw on a petition dashboard: "Night shift 0", total 7; one
coworker signed choosing Night shift; then "Night shift hidden", total 8. Anyone
polling the page (an organizer, or a read-only member who may be the employer's
informant) learned that exactly one Night-shift person had just signed. A shown 0 is
itself a cell under 5, and its change is a cell of 1: so 0 is hidden like 1 to 4.

The attacker here sees what an organizer's dashboard shows: the cells, which are
hidden, and the total (the dashboards print the exact total beside the table). It
knows the rule (it can run this software) and tries every other set of group sizes
that gives the same page. A hidden cell must stay ambiguous: at least two sizes fit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concerted.core.kanon import MIN_COUNT, breakdown, suppress


def page(counts: dict[str, int]) -> tuple[tuple[str, int | None], ...]:
    return tuple((cell.label, cell.count) for cell in suppress(counts))


def fits(counts: dict[str, int], label: str) -> set[int]:
    """Every size `label` can have on a page identical to this one, total included."""
    seen = page(counts)
    total = sum(counts.values())
    hidden = [name for name, n in seen if n is None]
    rest = total - sum(n for _name, n in seen if n is not None)
    found = set()
    for combo in itertools.product(range(rest + 1), repeat=len(hidden)):
        if sum(combo) != rest:
            continue
        candidate = {**counts, **dict(zip(hidden, combo, strict=True))}
        if page(candidate) == seen:
            found.add(candidate[label])
    return found


groups = st.lists(st.integers(min_value=0, max_value=9), min_size=2, max_size=4).map(
    lambda sizes: {f"group {i}": n for i, n in enumerate(sizes)}
)


def test_a_zero_cell_is_hidden_like_a_small_one():
    cells = {c.label: c.count for c in suppress({"Night shift": 0, "Day shift": 7, "Not given": 0})}
    assert cells["Night shift"] is None
    after = {c.label: c.count for c in suppress({"Night shift": 1, "Day shift": 7, "Not given": 0})}
    assert after == cells


def test_the_testers_before_and_after_look_the_same():
    before = {"Night shift": 0, "Day shift": 7, "Weekend": 0, "Not given": 0}
    after = {**before, "Night shift": 1}
    assert page(before) == page(after)
    assert breakdown(before).cells == breakdown(after).cells


def test_no_cell_is_ever_shown_under_five():
    for sizes in itertools.product(range(7), repeat=3):
        for cell in suppress(dict(zip("abc", sizes, strict=True))):
            assert cell.hidden or cell.count >= MIN_COUNT


def test_zeros_are_hidden_beside_large_groups_with_a_cover():
    # Two empty groups hold nobody between them: the next-smallest is hidden with
    # them, or "total minus the shown cells = 0" would say both are empty.
    cells = {c.label: c.count for c in suppress({"a": 0, "b": 0, "c": 6, "d": 30})}
    assert cells == {"a": None, "b": None, "c": None, "d": 30}


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(groups)
def test_with_the_total_known_no_empty_group_can_be_worked_out(counts):
    cells = suppress(counts)
    hidden = [cell.label for cell in cells if cell.hidden]
    for label in hidden:
        if counts[label] != 0 or sum(counts.values()) == 0:
            continue  # see test_known_leak_with_the_total_beside_small_cells; nobody at all exposes nobody
        assert len(fits(counts, label)) >= 2, f"{label} = {counts[label]} can be worked out from {cells}"


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(groups, st.data())
def test_a_first_arrival_in_an_empty_group_does_not_show_in_that_group(counts, data):
    empty = [label for label, n in counts.items() if n == 0]
    if not empty:
        return
    label = data.draw(st.sampled_from(empty))
    before = {c.label: c for c in suppress(counts)}
    after = {c.label: c for c in suppress({**counts, label: 1})}
    assert before[label].hidden and after[label].hidden


@pytest.mark.xfail(strict=True, reason="known leak, not from zeros: see the report of 'empty cells are hidden'")
def test_known_leak_with_the_total_beside_small_cells():
    # Three groups of 4 beside a shown 5, total 17 on the same dashboard: a 5 among the
    # hidden would have been shown, so each hidden one is 4. Closing this needs a rule
    # that checks ambiguity against the total (what surveys.disclosure does).
    counts = {"a": 4, "b": 4, "c": 4, "d": 5}
    assert len(fits(counts, "a")) >= 2

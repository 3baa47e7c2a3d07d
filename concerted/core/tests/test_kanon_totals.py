"""A total never gives away a hidden cell beside it (DESIGN invariant 4).

Property test over random group sizes. The attacker sees what a shared page shows --
the shown cells, which cells are hidden, and the total where it is shown -- and knows
the suppression rule (it can run this software). It tries every other set of group
sizes that would produce exactly the same page. Each hidden cell must stay ambiguous:
at least two different sizes fit what was shown."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from concerted.core.kanon import MIN_COUNT, breakdown

# Hidden cells hold 0 or more (zeros are hidden too); without a total, sizes up to this
# bound are tried, which is enough to find a second fit when one exists.
SEARCH_LIMIT = 3 * MIN_COUNT


def view(counts: dict[str, int]) -> tuple[tuple[tuple[str, int | None], ...], int | None]:
    shown = breakdown(counts)
    return tuple((cell.label, cell.count) for cell in shown.cells), shown.total


def other_fit(counts: dict[str, int], label: str) -> bool:
    """Is there a page-identical set of sizes where `label` holds another value?"""
    seen = view(counts)
    cells, total = seen
    hidden = [name for name, n in cells if n is None]
    others = [name for name in hidden if name != label]
    shown_sum = sum(n for _name, n in cells if n is not None)
    for value in range(SEARCH_LIMIT + 1):
        if value == counts[label]:
            continue
        if total is not None:
            rest = total - shown_sum - value
            if rest < 0:
                break
            ranges = [range(rest + 1)] * len(others)
        else:
            ranges = [range(SEARCH_LIMIT + 1)] * len(others)
        for combo in itertools.product(*ranges):
            if total is not None and sum(combo) != total - shown_sum - value:
                continue
            candidate = {**counts, label: value, **dict(zip(others, combo, strict=True))}
            if view(candidate) == seen:
                return True
    return False


groups = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4).map(
    lambda sizes: {f"group {i}": n for i, n in enumerate(sizes)}
)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(groups)
def test_it_never_shows_a_total_that_gives_away_a_hidden_group(counts):
    shown = breakdown(counts)
    for cell in shown.cells:
        if cell.hidden:
            assert shown.total != counts[cell.label] or shown.total is None
            assert other_fit(counts, cell.label), f"{cell.label} = {counts[cell.label]} can be worked out from {shown}"


def test_it_hides_the_total_beside_a_lone_hidden_cell():
    # The case that used to leak: one small group, the others empty.
    assert breakdown({"Support": 3, "Data": 0, "Platform": 0}).total is None
    assert breakdown({"group 0": 1, "group 1": 1, "group 2": 1, "group 3": 1}).total is None  # 4: one each
    assert breakdown({"Support": 3, "Data": 9, "Platform": 20}).total is None
    assert breakdown({"Support": 5, "Data": 9, "Platform": 0}).total is None  # an empty group is hidden too
    assert breakdown({"Support": 5, "Data": 9, "Platform": 6}).total == 20

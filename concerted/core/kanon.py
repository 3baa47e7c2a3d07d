"""Small-cell suppression for breakdowns (DESIGN invariants 4 and 11).

A cell with fewer than `k` people is never shown -- and that includes an empty cell.
Showing "Night shift 0" looks harmless, but a watcher who sees it turn into "hidden"
(and the total go up by one) has learned that exactly one Night-shift person just
acted, and when. So 0 and 1..k-1 look the same: hidden, for the same reason (fewer
than `k`), and a page never says which of the two it is.

Because the total is shown, hiding one cell alone would let anyone recover it by
subtraction, so the next-smallest shown cells are hidden with it until at least two
cells are hidden and the hidden cells together hold at least `k` people. Empty cells
only make that easier: they are hidden already, and they never count towards the `k`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

MIN_COUNT = 5
MIN_FREE_TEXT = 10

# The group of those who chose none. Kept in English in released figures (which are
# stored) and translated when shown: stored translated, it stayed in the language of
# whoever's request made the release.
NOT_GIVEN = gettext_noop("Not given")


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed

    @property
    def hidden(self) -> bool:
        return self.count is None

    @property
    def shown_label(self) -> str:
        return gettext(self.label) if self.label == NOT_GIVEN else self.label


def suppress(counts: Mapping[str, int], k: int = MIN_COUNT) -> list[Cell]:
    """Return the cells in the given order, small ones and their complements hidden.

    Every cell under `k` is hidden, 0 included: a shown 0 would make the arrival of the
    group's first member visible (0, then "hidden"). Complements are hidden until the
    hidden cells number at least two and hold at least `k` people between them, or
    until every cell is hidden."""
    hidden = {label for label, n in counts.items() if n < k}
    if hidden:
        candidates = sorted((n, label) for label, n in counts.items() if label not in hidden)
        while candidates and (len(hidden) < 2 or sum(counts[x] for x in hidden) < k):
            hidden.add(candidates.pop(0)[1])
    return [Cell(label, None if label in hidden else n) for label, n in counts.items()]


@dataclass(frozen=True)
class Breakdown:
    cells: list[Cell]
    total: int | None  # None: hidden, because it would let a hidden cell be worked out


def breakdown(counts: Mapping[str, int], k: int = MIN_COUNT) -> Breakdown:
    """Cells as suppress() gives them, and the total beside them only when no cell is
    hidden. A total minus the shown cells is the sum of the hidden ones: with a single
    hidden cell that *is* the cell ({A: 3} alone has total 3), and where suppression
    runs out of cells to hide, a small sum narrows the hidden cells down (when zeros
    were shown, {A: 1, B: 1, C: 1, D: 1} had total 4: one person each). Showing the
    total only when the hidden sum is large would leak too, since its absence would
    say the sum is small."""
    cells = suppress(counts, k)
    if any(cell.hidden for cell in cells):
        return Breakdown(cells, None)
    return Breakdown(cells, sum(counts.values()))


def show_count(n: int, k: int = MIN_COUNT) -> int | None:
    """A single number about a group: shown only when the group has at least k people."""
    return n if n >= k else None

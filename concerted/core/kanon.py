"""Small-cell suppression for breakdowns (DESIGN invariant 4).

A cell with fewer than `k` people is never shown. Because the total is shown, hiding
one cell alone would let anyone recover it by subtraction, so the next-smallest shown
cells are hidden with it until at least two cells are hidden and the hidden cells
together hold at least `k` people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MIN_COUNT = 5
MIN_FREE_TEXT = 10


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed

    @property
    def hidden(self) -> bool:
        return self.count is None


def suppress(counts: Mapping[str, int], k: int = MIN_COUNT) -> list[Cell]:
    """Return the cells in the given order, small ones and their complements hidden.

    Zero cells are shown (they expose nobody) and never serve as complements."""
    hidden = {label for label, n in counts.items() if 0 < n < k}
    if hidden:
        candidates = sorted((n, label) for label, n in counts.items() if label not in hidden and n > 0)
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
    hidden cell that *is* the cell ({A: 3, B: 0} has total 3), and where suppression
    runs out of cells to hide, a small sum pins the hidden cells down ({A: 1, B: 1,
    C: 1, D: 1} has total 4: one person each). Showing the total only when the hidden
    sum is large would leak too, since its absence would say the sum is small."""
    cells = suppress(counts, k)
    if any(cell.hidden for cell in cells):
        return Breakdown(cells, None)
    return Breakdown(cells, sum(counts.values()))


def show_count(n: int, k: int = MIN_COUNT) -> int | None:
    """A single number about a group: shown only when the group has at least k people."""
    return n if n >= k else None

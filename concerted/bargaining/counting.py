"""Counting the demands ballots: approval counts and a Schulze ranking.

The method, as shown to members and printed in the brief:

1. A ballot ranks some or all demands: 1 is most important. Two demands may share a
   rank. Demands a member leaves unranked count as ranked below every demand they did
   rank, and equal to each other.
2. Approval: a demand is approved by a ballot when the ballot ranks it at all. The
   approval count is the number of such ballots.
3. Pairwise counts d[X][Y]: how many ballots put X strictly above Y.
4. Schulze (the "beatpath" method, Schulze 2011, winning-votes strength): the strength
   of a path X→…→Y is its weakest link, where a link X→Z exists when d[X][Z] > d[Z][X]
   and has strength d[X][Z]. p[X][Y] is the strongest path. X ranks above Y when
   p[X][Y] > p[Y][X]. This order is always transitive, picks the Condorcet winner when
   there is one, and resolves cycles by their weakest link.
5. Ties: demands that Schulze cannot separate (p[X][Y] == p[Y][X] in both directions)
   are ordered by approval count, higher first. Demands still equal after that are
   reported as tied and share a place: the software does not toss a coin. The committee
   decides (DESIGN invariant 6) and says how in the brief.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

C = TypeVar("C", bound=Hashable)


@dataclass
class Standing(Generic[C]):
    candidate: C
    place: int  # 1-based; tied candidates share a place
    approvals: int
    tied: bool  # shares its place with another candidate
    wins: int  # how many other candidates it beats under Schulze


@dataclass
class Result(Generic[C]):
    standings: list[Standing[C]]
    pairwise: dict[C, dict[C, int]]
    strongest: dict[C, dict[C, int]]
    ballots: int


def pairwise(candidates: Sequence[C], ballots: Iterable[Mapping[C, int]]) -> tuple[dict[C, dict[C, int]], int]:
    """d[x][y] = ballots preferring x to y. A ballot maps candidate -> rank (1 = best);
    missing candidates rank below all ranked ones."""
    d: dict[C, dict[C, int]] = {x: dict.fromkeys(candidates, 0) for x in candidates}
    n = 0
    for ballot in ballots:
        n += 1
        unranked = max(ballot.values(), default=0) + 1
        rank = {c: ballot.get(c, unranked) for c in candidates}
        for x in candidates:
            for y in candidates:
                if x != y and rank[x] < rank[y]:
                    d[x][y] += 1
    return d, n


def strongest_paths(candidates: Sequence[C], d: Mapping[C, Mapping[C, int]]) -> dict[C, dict[C, int]]:
    """Floyd–Warshall variant from Schulze's paper (widest paths), winning votes."""
    p: dict[C, dict[C, int]] = {x: dict.fromkeys(candidates, 0) for x in candidates}
    for x in candidates:
        for y in candidates:
            if x != y and d[x][y] > d[y][x]:
                p[x][y] = d[x][y]
    for k in candidates:
        for i in candidates:
            if i == k:
                continue
            for j in candidates:
                if j in (i, k):
                    continue
                p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def count(candidates: Sequence[C], ballots: Iterable[Mapping[C, int]]) -> Result[C]:
    ballots = [{c: r for c, r in b.items() if c in candidates} for b in ballots]
    approvals = {c: sum(1 for b in ballots if c in b) for c in candidates}
    d, n = pairwise(candidates, ballots)
    p = strongest_paths(candidates, d)
    wins = {x: sum(1 for y in candidates if y != x and p[x][y] > p[y][x]) for x in candidates}
    # Schulze's relation is transitive: X beats Y implies X beats everything Y beats,
    # so wins[X] > wins[Y]. Sorting by wins therefore never puts a loser above its winner.
    order = sorted(candidates, key=lambda c: (-wins[c], -approvals[c]))
    standings: list[Standing[C]] = []
    for i, c in enumerate(order):
        if i and (wins[c], approvals[c]) == (wins[order[i - 1]], approvals[order[i - 1]]):
            place = standings[-1].place
        else:
            place = i + 1
        standings.append(Standing(candidate=c, place=place, approvals=approvals[c], tied=False, wins=wins[c]))
    places = [s.place for s in standings]
    for s in standings:
        s.tied = places.count(s.place) > 1
    return Result(standings=standings, pairwise=d, strongest=p, ballots=n)

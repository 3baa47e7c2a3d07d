"""The counting method on ballots worked out by hand (see counting.py for the rules)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from concerted.bargaining.counting import count, pairwise


def ballots(*groups: tuple[int, str]) -> list[dict[str, int]]:
    """(how many, "A>B=C>D") -> ballots; "=" shares a rank; letters left out are unranked."""
    out = []
    for n, order in groups:
        ballot = {}
        for rank, level in enumerate(order.split(">"), start=1):
            for c in level.split("="):
                ballot[c] = rank
        out += [dict(ballot) for _ in range(n)]
    return out


def places(result) -> list[tuple[str, int, bool]]:
    return [(s.candidate, s.place, s.tied) for s in result.standings]


def test_it_picks_the_condorcet_winner():
    # A beats B 2-1 and C 3-0; B beats C 3-0.
    result = count("ABC", ballots((2, "A>B>C"), (1, "B>A>C")))
    assert places(result) == [("A", 1, False), ("B", 2, False), ("C", 3, False)]
    assert result.pairwise["A"]["B"] == 2 and result.pairwise["B"]["A"] == 1
    assert result.ballots == 3


def test_it_resolves_a_condorcet_cycle_by_its_weakest_link():
    # 4 A>B>C, 3 B>C>A, 2 C>A>B. By hand:
    # d[A][B]=6 d[B][A]=3; d[B][C]=7 d[C][B]=2; d[C][A]=5 d[A][C]=4: a cycle A>B>C>A.
    # Strongest paths: p[A][B]=6, p[B][A]=min(7,5)=5; p[A][C]=min(6,7)=6, p[C][A]=5;
    # p[B][C]=7, p[C][B]=min(5,6)=5. So A > B > C: the weakest link C>A (5) is dropped.
    result = count("ABC", ballots((4, "A>B>C"), (3, "B>C>A"), (2, "C>A>B")))
    assert (result.pairwise["A"]["B"], result.pairwise["B"]["C"], result.pairwise["C"]["A"]) == (6, 7, 5)
    assert result.strongest["A"]["C"] == 6 and result.strongest["C"]["A"] == 5
    assert result.strongest["B"]["A"] == 5
    assert places(result) == [("A", 1, False), ("B", 2, False), ("C", 3, False)]


def test_a_perfectly_balanced_cycle_is_a_three_way_tie():
    result = count("ABC", ballots((1, "A>B>C"), (1, "B>C>A"), (1, "C>A>B")))
    assert [s.place for s in result.standings] == [1, 1, 1]
    assert all(s.tied for s in result.standings)


def test_the_schulze_example_from_the_literature():
    # Schulze's 45-voter example (also on Wikipedia): result E > A > C > B > D.
    result = count(
        "ABCDE",
        ballots(
            (5, "A>C>B>E>D"),
            (5, "A>D>E>C>B"),
            (8, "B>E>D>A>C"),
            (3, "C>A>B>E>D"),
            (7, "C>A>E>B>D"),
            (2, "C>B>A>D>E"),
            (7, "D>C>E>B>A"),
            (8, "E>B>A>D>C"),
        ),
    )
    assert [s.candidate for s in result.standings] == list("EACBD")
    assert result.strongest["E"]["A"] == 25 and result.strongest["A"]["E"] == 24


def test_a_schulze_tie_is_broken_by_approvals():
    # Ballot 1 ranks only A (so A above unranked B); ballot 2 ranks B above A.
    # Head to head 1-1: Schulze can't separate them. A is supported on 2 ballots, B on 1.
    result = count("AB", ballots((1, "A"), (1, "B>A")))
    assert result.pairwise["A"]["B"] == result.pairwise["B"]["A"] == 1
    assert places(result) == [("A", 1, False), ("B", 2, False)]
    assert [s.approvals for s in result.standings] == [2, 1]


def test_a_true_tie_is_reported_as_tied_not_decided():
    # 1-1 head to head and 2-2 support: the software does not pick; both share place 1.
    result = count("ABC", ballots((1, "A>B>C"), (1, "B>A>C")))
    assert places(result) == [("A", 1, True), ("B", 1, True), ("C", 3, False)]


def test_unranked_candidates_count_below_ranked_ones():
    d, n = pairwise("ABC", ballots((1, "B")))
    assert n == 1
    assert d["B"]["A"] == 1 and d["B"]["C"] == 1
    assert d["A"]["C"] == 0 and d["C"]["A"] == 0


def test_shared_ranks_on_a_ballot_prefer_neither():
    d, _n = pairwise("ABC", ballots((1, "A=B>C")))
    assert d["A"]["B"] == 0 and d["B"]["A"] == 0
    assert d["A"]["C"] == 1 and d["B"]["C"] == 1


def test_no_ballots_is_an_all_way_tie():
    result = count("AB", [])
    assert result.ballots == 0
    assert [s.place for s in result.standings] == [1, 1]


# Properties on random ballots: the method's guarantees, not just worked examples.

CANDIDATES = "ABCDE"
ballot_st = st.dictionaries(st.sampled_from(CANDIDATES), st.integers(min_value=1, max_value=5), max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_st, max_size=25))
def test_a_condorcet_winner_always_wins_alone(random_ballots):
    result = count(CANDIDATES, random_ballots)
    d = result.pairwise
    winners = [x for x in CANDIDATES if all(d[x][y] > d[y][x] for y in CANDIDATES if y != x)]
    if winners:
        top = result.standings[0]
        assert top.candidate == winners[0] and top.place == 1 and not top.tied


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_st, max_size=25), st.permutations(CANDIDATES))
def test_places_do_not_depend_on_the_order_demands_are_listed(random_ballots, order):
    a = {s.candidate: s.place for s in count(CANDIDATES, random_ballots).standings}
    b = {s.candidate: s.place for s in count(order, random_ballots).standings}
    assert a == b


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_st, max_size=25))
def test_no_demand_is_placed_above_one_that_beats_it(random_ballots):
    result = count(CANDIDATES, random_ballots)
    p = result.strongest
    place = {s.candidate: s.place for s in result.standings}
    for x in CANDIDATES:
        for y in CANDIDATES:
            if x != y and p[x][y] > p[y][x]:
                assert place[x] < place[y]

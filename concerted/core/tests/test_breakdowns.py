"""Group breakdowns released over time (concerted/core/breakdowns.py), checked by an
attacker written apart from it: brute force over every history of whole numbers that
agrees with what was shown, where the module uses linear programming. No figure shown
or hidden, in any release, and no change of a group between any two releases, may be
pinned inside 1..4 people, and no hidden figure may be pinned to one exact number."""

from __future__ import annotations

import itertools
import random

import pytest

from concerted.core.breakdowns import entry, protect, shown_in

K = 5


def release_all(steps: list[dict[str, int]]) -> list[dict]:
    history: list[dict] = []
    for counts in steps:
        shown = protect(history, counts)
        history.append(entry(None, sum(counts.values()), shown))
        assert shown_in(history[-1]) == shown
    return [past | {"groups": shown_in(past)} for past in history]


def worlds(history: list[dict], labels: list[str]) -> list[list[tuple[int, ...]]]:
    """Every sequence of per-group counts, only ever growing, that shows what was shown."""
    found: list[list[tuple[int, ...]]] = []

    def options(r: int, floor: tuple[int, ...]) -> list[tuple[int, ...]]:
        past = history[r]
        out = []
        for head in itertools.product(*[range(f, past["total"] + 1) for f in floor[:-1]]):
            combo = (*head, past["total"] - sum(head))
            if combo[-1] < floor[-1]:
                continue
            if all(past["groups"].get(g) in (None, combo[i]) for i, g in enumerate(labels)):
                out.append(combo)
        return out

    def walk(r: int, floor: tuple[int, ...], path: list[tuple[int, ...]]) -> None:
        if r == len(history):
            found.append(list(path))
            return
        for combo in options(r, floor):
            walk(r + 1, combo, [*path, combo])

    walk(0, tuple(0 for _ in labels), [])
    return found


def pinned_small(values: set[int]) -> bool:
    return min(values) >= 1 and max(values) <= K - 1


def leaks(history: list[dict]) -> list[str]:
    labels = list(history[0]["groups"])
    seen = worlds(history, labels)
    assert seen, "the true history must be one of the worlds"
    problems = []
    for r, past in enumerate(history):
        for i, label in enumerate(labels):
            if past["groups"][label] is None:
                values = {w[r][i] for w in seen}
                if pinned_small(values) or (len(values) == 1 and values != {0}):
                    problems.append(f"release {r}: hidden {label} is {sorted(values)}")
    for r1, r2 in itertools.combinations(range(len(history)), 2):
        for i, label in enumerate(labels):
            changes = {w[r2][i] - w[r1][i] for w in seen}
            if pinned_small(changes):
                problems.append(f"releases {r1}->{r2}: {label} changed by {sorted(changes)}")
    return problems


def test_it_hides_a_group_that_grew_by_one_and_what_would_give_it_away():
    history = release_all(
        [
            {"Day": 20, "Night": 7, "Not given": 0},
            {"Day": 24, "Night": 8, "Not given": 0},
        ]
    )
    assert history[0]["groups"]["Day"] == 20
    assert history[1]["groups"]["Night"] is None
    assert history[1]["groups"]["Day"] is None  # Day shown would give Night = 32 - 24
    assert leaks(history) == []


def test_it_shows_a_group_again_once_it_grew_by_five():
    history = release_all(
        [
            {"Day": 20, "Night": 7, "Not given": 0},
            {"Day": 24, "Night": 8, "Not given": 0},
            {"Day": 29, "Night": 12, "Not given": 5},
        ]
    )
    assert history[2]["groups"] == {"Day": 29, "Night": 12, "Not given": 5}
    assert leaks(history) == []


def test_the_first_release_follows_the_rule_of_five():
    (first,) = release_all([{"A": 7, "B": 2, "C": 0, "Not given": 6}])
    assert first["groups"]["B"] is None
    assert first["groups"]["C"] is None  # empty, hidden like a small group
    assert sum(1 for v in first["groups"].values() if v is None) >= 2
    assert protect([], {}) == {}


@pytest.mark.parametrize("seed", range(40))
def test_no_history_of_small_random_drives_pins_anything(seed):
    rng = random.Random(seed)
    counts = {"A": 0, "B": 0, "Not given": 0}
    steps = []
    for _ in range(rng.randint(2, 4)):
        for _ in range(rng.randint(5, 8)):
            label = rng.choices(list(counts), weights=[4, 2, 1])[0]
            counts[label] += 1
        steps.append(dict(counts))
    history = release_all(steps)
    assert leaks(history) == [], history

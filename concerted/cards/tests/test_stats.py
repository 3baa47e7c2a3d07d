from __future__ import annotations

import pytest

from concerted.cards import stats
from concerted.cards.models import BargainingUnit, Card
from concerted.core import releases

pytestmark = pytest.mark.django_db


def add_cards(unit, n, segment=None, start=0):
    for i in range(start, start + n):
        Card.objects.create(unit=unit, sealed=b"x", receipt_hash=f"r{i}", text_hash="t", segment=segment)


@pytest.mark.parametrize(
    ("size", "cards", "still"),
    [
        (1, 0, [1, 1, 1]),
        (1, 1, [0, 0, 0]),
        (2, 1, [0, 1, 1]),
        (3, 1, [0, 1, 2]),
        (10, 2, [1, 4, 5]),
        (10, 3, [0, 3, 4]),  # exactly 30%
        (10, 5, [0, 1, 2]),  # exactly half is not a majority
        (10, 6, [0, 0, 1]),
        (11, 3, [1, 3, 5]),
        (11, 4, [0, 2, 4]),
        (11, 6, [0, 0, 2]),
    ],
)
def test_cards_still_needed_at_the_edges(unit, size, cards, still):
    unit.size = size
    unit.supermajority_percent = 70
    unit.save()
    add_cards(unit, cards)
    progress = stats.progress(unit)
    assert [t.still_needed for t in progress.thresholds] == still
    assert [t.reached for t in progress.thresholds] == [s == 0 for s in still]
    assert all(0 <= t.percent <= 100 for t in progress.thresholds)
    assert all(t.percent < 100 for t in progress.thresholds if not t.reached)


def test_per_group_counts_follow_the_rule_of_five(unit):
    teams = {s.label: s for s in unit.segments()}
    add_cards(unit, 7, teams["Platform"])
    add_cards(unit, 6, teams["Support"], start=100)
    add_cards(unit, 2, teams["Data"], start=200)
    releases.release_baseline(unit)
    cells = {c.label: c.count for c in releases.status(unit).breakdown}
    assert cells["Data"] is None  # 2 < 5
    assert cells["Support"] is None  # next-smallest, so Data can't be worked out
    assert cells["Platform"] == 7
    assert cells["Not given"] is None  # empty, and hidden like a small group


def test_no_groups_means_no_breakdown(unit):
    unit.card_segment_kind = ""
    unit.save()
    assert stats.segment_counts(unit) == {}
    releases.release_baseline(unit)
    assert releases.status(unit).breakdown == []


def test_the_committee_goal_uses_the_unit_setting():
    unit = BargainingUnit(size=300, supermajority_percent=65)
    assert (unit.showing_needed(), unit.majority_needed(), unit.goal_needed()) == (90, 151, 195)

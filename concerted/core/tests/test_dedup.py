"""Repeats found on the organizer's machine (core/dedup.py), never on the server."""

from __future__ import annotations

from concerted.core.dedup import collapse, normalize_contact


def test_it_folds_the_ways_one_person_types_a_contact() -> None:
    assert normalize_contact(" Same.Person@Example.ORG ") == "same.person@example.org"
    assert normalize_contact("+49 (151) 2345-6789") == normalize_contact("+49 151 23456789") == "+4915123456789"


def test_it_keeps_the_first_record_of_each_person_and_marks_repeats() -> None:
    rows = [
        {"id": "c", "day": "2026-05-03", "contact": "ANA@example.org"},
        {"id": "a", "day": "2026-05-01", "contact": "ana@example.org"},
        {"id": "b", "day": "2026-05-02", "contact": "bo@example.org"},
        {"id": "d", "day": "2026-05-02", "contact": ""},
        {"id": "e", "day": "2026-05-04", "contact": ""},
    ]
    found = collapse(rows)
    assert [r["id"] for r in found.unique] == ["a", "b", "d", "e"]
    assert [(r["id"], r["repeat_of"]) for r in found.repeats] == [("c", "a")]
    assert found.people == 4 and found.without_contact == 2
    assert "5 records: 4 different people, 1 repeat of the same contact" in found.summary()


def test_it_joins_records_that_share_any_contact() -> None:
    """A card's phone matches one record and its email another: all three are one person."""
    rows = [
        {"id": "1", "day": "2026-05-01", "phone": "+44 7700 900123", "email": ""},
        {"id": "2", "day": "2026-05-02", "phone": "+44 7700 900999", "email": "h@example.net"},
        {"id": "3", "day": "2026-05-03", "phone": "+447700900123", "email": "H@example.net"},
    ]
    found = collapse(rows)
    assert [r["id"] for r in found.unique] == ["1"]
    assert {r["repeat_of"] for r in found.repeats} == {"1"}

"""The wall chart is built twice: by cards/roster.py (`concerted wallchart`) and by
cards/static/cards/roster.js (the browser). The same records and logs go through both,
and both must say the same: the latest assessment by date (the record's own included),
groups, consent and its contact, the last one-on-one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from concerted.cards.roster import current

pytestmark = [pytest.mark.browser]

ROSTER_JS = Path(__file__).resolve().parents[2] / "concerted" / "cards" / "static" / "cards" / "roster.js"

FIELDS = [
    "assessment",
    "assessed_on",
    "department",
    "shift",
    "site",
    "classification",
    "contact",
    "may_message",
    "last_one_on_one",
    "next_step",
]


def note(date: str, saved: str, assessment: int | None, text: str = "Talked.") -> dict:
    return {"event": "one-on-one", "date": date, "saved": saved, "who": "Rosa", "note": text, "assessment": assessment}


CASES = {
    # Emma, added on 12-02 as a 2; one-on-ones from November logged afterwards, out of order.
    "older one-on-ones logged later": (
        {"name": "Emma", "contact": "", "assessment": 2, "assessed_on": "2026-12-02", "added": "2026-12-02"},
        [
            note("2026-11-20", "2026-12-02T10:00:00", 1),
            note("2026-11-25", "2026-12-02T10:01:00", 3, "Worried."),
            note("2026-11-22", "2026-12-02T10:02:00", 2),
        ],
    ),
    "same day as the record: the entry wins": (
        {"name": "Joe", "contact": "", "assessment": 2, "assessed_on": "2026-12-02", "added": "2026-12-02"},
        [note("2026-12-02", "2026-12-02T11:00:00", 4)],
    ),
    "same day entries: the later-recorded wins": (
        {"name": "Ida", "contact": "", "assessment": None, "assessed_on": "", "added": "2026-11-01"},
        [note("2026-11-05", "2026-11-06T09:00:00", 5), note("2026-11-05", "2026-11-05T09:00:00", 1)],
    ),
    "newer one-on-one replaces the record's": (
        {"name": "Lucy", "contact": "", "assessment": 3, "assessed_on": "2026-10-01", "added": "2026-10-01"},
        [
            note("2026-10-20", "2026-10-20T09:00:00", 1, "Ready."),
            {"event": "update", "date": "2026-10-21", "saved": "2026-10-21T09:00:00", "groups": {"shift": "Night"}},
        ],
    ),
    "consent with its contact": (
        {"name": "Bo", "contact": "", "assessment": None, "added": "2026-10-01"},
        [
            {
                "event": "consent",
                "date": "2026-10-02",
                "saved": "2026-10-02T09:00:00",
                "may_message": True,
                "stop": "s" * 43,
                "contact": "bo@example.net",
            }
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_browser_and_the_command_line_build_the_same_roster(browser, case):
    person, log = CASES[case]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><title>roster</title>")
        page.add_script_tag(path=str(ROSTER_JS))
        in_browser = page.evaluate(
            "([person, log]) => window.ConcertedRoster.current(person, log)", [json.loads(json.dumps(person)), log]
        )
    finally:
        context.close()
    on_the_command_line = current(person, log)
    assert {f: in_browser.get(f) for f in FIELDS} == {f: on_the_command_line.get(f) for f in FIELDS}


def test_emmas_assessment_is_the_one_made_last():
    person, log = CASES["older one-on-ones logged later"]
    seen = current(person, log)
    assert (seen["assessment"], seen["assessed_on"]) == (2, "2026-12-02")

"""The roster as the committee sees it, built on its own machine from opened records.

A person's sealed record holds what was known when they were added; their sealed log
(one-on-ones and corrections) holds every change since. The current state is the record
with the log applied in date order. The server can't do this: it holds only ciphertext.
concerted/cards/static/cards/roster.js does the same in the organizer's browser; keep
the two in step (tests/browser/test_roster_in_browser.py and test_roster_agrees.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from .models import GROUP_FIELDS

SIGNED = "signed"
SAME_NAME = "same name signed?"


def _entry_order(entry: dict[str, Any]) -> tuple[str, str]:
    return (str(entry.get("date") or ""), str(entry.get("saved") or ""))


def current(person: dict[str, Any], log: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The person's record with their log applied; adds last_one_on_one and next_step.

    The latest assessment by date wins, the record's own (made on its assessed_on day)
    included: a one-on-one logged today but dated last month doesn't replace an
    assessment made last week. On the same day the later-recorded wins, and the record
    was recorded before any entry of its log."""
    state = dict(person)
    state.setdefault("assessment", None)
    if not state["assessment"]:
        state["assessed_on"] = ""
    last: dict[str, Any] | None = None
    for entry in sorted(log, key=_entry_order):
        if entry.get("assessment") and str(entry.get("date") or "") >= str(state.get("assessed_on") or ""):
            state["assessment"] = entry["assessment"]
            state["assessed_on"] = entry.get("date") or ""
        for field, value in (entry.get("groups") or {}).items():
            if field in GROUP_FIELDS and value:
                state[field] = value
        if entry.get("added"):
            state["added"] = entry["added"]
        if entry.get("event") == "consent" and entry.get("may_message") is True and entry.get("stop"):
            # Recorded by an organizer after the person agreed in person (signing.record_consent).
            state["may_message"], state["stop"] = True, entry["stop"]
            if entry.get("contact"):
                # The contact they agreed to be written at, typed with the consent.
                state["contact"] = entry["contact"]
        if entry.get("note"):
            last = entry
    state["last_one_on_one"] = f"{last.get('date', '')} ({last.get('who', '')}): {last.get('note', '')}" if last else ""
    state["next_step"] = last.get("next_step", "") if last else ""
    return state


def _plain(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).split())


def _digits(text: Any) -> str:
    return re.sub(r"\D+", "", str(text or ""))


def match_cards(people: list[dict[str, Any]], cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set each person's "card": SIGNED when a card has their phone or email, SAME_NAME
    when only the name matches (maybe a namesake). Returns the cards matched to nobody."""
    by_phone = {_digits(c.get("phone")): i for i, c in enumerate(cards) if _digits(c.get("phone"))}
    by_email = {str(c.get("email")).casefold(): i for i, c in enumerate(cards) if c.get("email")}
    by_name = {_plain(c.get("full_name")): i for i, c in enumerate(cards)}
    matched: set[int] = set()
    for person in people:
        contact = str(person.get("contact") or "")
        i = by_email.get(contact.casefold()) if "@" in contact else by_phone.get(_digits(contact))
        person["card"] = SIGNED if i is not None and contact else ""
        if not person["card"]:
            i = by_name.get(_plain(person.get("name")))
            person["card"] = SAME_NAME if i is not None else ""
        if i is not None and person["card"]:
            matched.add(i)
    return [c for i, c in enumerate(cards) if i not in matched]


def wall_chart(
    people: list[dict[str, Any]], log: list[dict[str, Any]], cards: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(everyone's current state with their card column, cards matched to nobody)."""
    by_person: dict[str, list[dict[str, Any]]] = {}
    for entry in log:
        by_person.setdefault(str(entry.get("person")), []).append(entry)
    rows = [current(p, by_person.get(str(p.get("id")), [])) for p in people]
    unmatched = match_cards(rows, cards)
    rows.sort(
        key=lambda r: (
            str(r.get("department") or ""),
            int(r.get("assessment") or 9),
            _plain(r.get("name")),
        )
    )
    return rows, unmatched

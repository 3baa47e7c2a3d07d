"""Finding repeats on the committee's machine, after the records are opened.

The server keeps every submission: anything it could use to recognize a repeat (a
hash of the contact, a unique constraint, an "already signed" answer) would tell
whoever seizes it, or types a coworker's contact into the form, that this person took
part (invariant 10). So repeats are found here, from the opened records, where the
contacts are in the clear anyway.

Two records are the same person when they share any normalized contact (a petition's
`contact`, a card's `phone` or `email`). Records with no contact can't be checked and
count as different people; the report says how many there are. The first record
(earliest day, then id) stays; the others are marked `repeat_of` it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CONTACT_FIELDS = ("contact", "phone", "email")


def normalize_contact(contact: str) -> str:
    """Fold the forms one person types their contact in: case, spaces, dots in phone
    numbers. Email local parts keep their dots (not every provider ignores them)."""
    text = unicodedata.normalize("NFKC", contact).strip().casefold()
    if "@" in text:
        return "".join(text.split())
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" if text.startswith("+") else "") + digits if digits else text


@dataclass
class Deduplicated:
    unique: list[dict[str, Any]] = field(default_factory=list)
    repeats: list[dict[str, Any]] = field(default_factory=list)
    without_contact: int = 0

    @property
    def people(self) -> int:
        return len(self.unique)

    def summary(self) -> str:
        """In the terminal's language (`concerted reveal`), each count with its own plural."""
        records = len(self.unique) + len(self.repeats)
        text = _("%(records)s: %(people)s, %(repeats)s") % {
            "records": ngettext("%(n)d record", "%(n)d records", records) % {"n": records},
            "people": ngettext("%(n)d different person", "%(n)d different people", self.people) % {"n": self.people},
            "repeats": ngettext(
                "%(n)d repeat of the same contact", "%(n)d repeats of the same contact", len(self.repeats)
            )
            % {"n": len(self.repeats)},
        }
        if self.without_contact:
            text += "; " + ngettext(
                "%(n)d without a contact (counted as a different person)",
                "%(n)d without a contact (counted as different people)",
                self.without_contact,
            ) % {"n": self.without_contact}
        return text


def _keys(row: dict[str, Any]) -> list[str]:
    keys = []
    for name in CONTACT_FIELDS:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            keys.append(normalize_contact(value))
    return keys


def collapse(rows: Iterable[dict[str, Any]]) -> Deduplicated:
    """Group rows by shared contact (transitively: a card's phone matching one record and
    its email another makes all three one person). Marks each repeat with `repeat_of`."""
    ordered = sorted(rows, key=lambda r: (str(r.get("day", "")), str(r.get("id", ""))))
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    result = Deduplicated()
    for i, row in enumerate(ordered):
        keys = _keys(row)
        if not keys:
            result.without_contact += 1
        find(i)
        for key in keys:
            if key in owner:
                a, b = find(owner[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)  # the earlier record stays first
            else:
                owner[key] = i
    for i, row in enumerate(ordered):
        root = find(i)
        if root == i:
            row.pop("repeat_of", None)
            result.unique.append(row)
        else:
            row["repeat_of"] = str(ordered[root].get("id", ""))
            result.repeats.append(row)
    return result

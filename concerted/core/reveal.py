"""Opening a sealed export on the organizer's machine.

Every record is decrypted and checked against the ids it was exported under; a record
that can't be opened or belongs elsewhere is reported, never silently dropped. Apps
register how to write their deliverable PDF for their kind of record."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from nacl.public import PrivateKey

from . import export as export_format
from .kanon import MIN_COUNT
from .sealing import KindMismatch, RevealError, open_sealed


@dataclass
class Revealed:
    export: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (record id, reason)
    duplicates: int = 0  # records skipped as a repeat of an earlier one (same id or same sealed blob)


def check_format(export: dict[str, Any]) -> None:
    if not isinstance(export, dict) or export.get("format") not in export_format.FORMATS:
        raise RevealError(_("this file is not a Concerted sealed export"))
    kind = export.get("kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind) or kind.split(".")[0] not in _app_labels():
        raise RevealError(_("this export names no kind of record Concerted knows"))
    if not isinstance(export.get("records", []), list) or not isinstance(export.get("parent"), dict):
        raise RevealError(_("this file is not a Concerted sealed export"))


_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def _app_labels() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs() if config.name.startswith("concerted.")}


def open_export(export: dict[str, Any], private_key: PrivateKey) -> Revealed:
    """Open every record. Refuses the whole export when a record (or the columns beside
    it) is sealed as another kind than the export declares (a forged or mixed-up
    export); reports records that
    can't be verified, and repeats of an earlier record (same id, or the same sealed
    blob replayed), which are counted once."""
    check_format(export)
    result = Revealed(export=export)
    columns_of = _columns_reader(export, private_key)
    opened = 0
    seen_ids: dict[str, int] = {}
    seen_blobs: dict[str, str] = {}
    for index, record in enumerate(export.get("records", [])):
        if not isinstance(record, dict):
            result.failures.append((f"#{index + 1}", _("not a record")))
            continue
        rid = str(record.get("id"))
        sealed = str(record.get("sealed"))
        if rid in seen_ids or sealed in seen_blobs:
            result.duplicates += 1
            reason = (
                _("repeats record %(id)s (same id)") % {"id": rid}
                if rid in seen_ids
                else _("replays record %(id)s's sealed data") % {"id": seen_blobs[sealed]}
            )
            result.failures.append((rid, reason))
            continue
        seen_ids[rid] = index
        seen_blobs[sealed] = rid
        try:
            ids = export_format.expected_ids(export, record)
            clear = columns_of(record, ids)
            blob = base64.b64decode(record["sealed"], validate=True)
            data = open_sealed(
                private_key,
                blob,
                kind=export["kind"],
                ids={**ids, **{name: str(clear[name]) for name in _record_ids.get(export["kind"], ())}},
            )
        except KindMismatch as exc:
            raise RevealError(
                _("refused: this export says it holds %(kind)s records, but %(error)s")
                % {"kind": repr(export["kind"]), "error": exc}
            ) from None
        except (RevealError, KeyError, TypeError, binascii.Error, ValueError) as exc:
            result.failures.append((rid, str(exc)))
            continue
        opened += 1
        row = {"id": rid, "day": clear.get("day", ""), "segment": clear.get("segment", ""), **clear, **data}
        problems = _checks[export["kind"]](row) if export["kind"] in _checks else []
        if problems:
            result.failures.append((rid, "; ".join(problems)))
            continue
        result.rows.append(row)
    if export.get("records") and not opened:
        raise RevealError(
            _("none of the records could be opened with this key: is it the committee key of this campaign?")
        )
    # Day order, as the committee reads a list (the export itself comes in id order).
    result.rows.sort(key=lambda row: (str(row.get("day") or ""), row["id"]))
    return result


ColumnsReader = Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]


def _columns_reader(export: dict[str, Any], private_key: PrivateKey) -> ColumnsReader:
    """How this export's records get what the server keeps beside their blobs (day,
    group, ...), by format: from the export's one sealed `columns` box, opened here once
    (format 3; its envelope must name the export's campaign and parent), from a box per
    record naming the record's own ids too (format 2), or in the clear (format 1). A
    record missing from them has none. A box that can't be opened, or is of another kind
    or export, fails every record the way its own box failed it in format 2."""
    kind = export_format.columns_kind(str(export["kind"]))
    if export["format"] == export_format.FORMAT_CLEAR_COLUMNS:
        return lambda record, _ids: {k: v for k, v in record.items() if k not in ("id", "sealed")}
    if export["format"] == export_format.FORMAT_RECORD_COLUMNS:
        return lambda record, ids: (
            _unpadded(_open_columns(private_key, record[export_format.COLUMNS], kind, ids))
            if export_format.COLUMNS in record
            else {}
        )
    if export_format.COLUMNS not in export:
        return lambda _record, _ids: {}
    try:
        opened = _open_columns(private_key, export[export_format.COLUMNS], kind, export_format.export_ids(export))
        table = opened.get(export_format.RECORDS)
        if not isinstance(table, dict):
            raise RevealError(_("not a record"))
    except (RevealError, KeyError, TypeError, binascii.Error, ValueError) as exc:
        # Raised again for each record (a new exception each time), where a kind
        # mismatch refuses the export as a record's own does.
        error, reason = (KindMismatch if isinstance(exc, KindMismatch) else RevealError), str(exc)

        def unopened(_record: dict[str, Any], _ids: dict[str, str]) -> dict[str, Any]:
            raise error(reason)

        return unopened
    return lambda record, _ids: _unpadded(table.get(str(record["id"]), {}))


def _open_columns(private_key: PrivateKey, text: Any, kind: str, ids: dict[str, str]) -> dict[str, Any]:
    columns = open_sealed(private_key, base64.b64decode(text, validate=True), kind=kind, ids=ids)
    if not isinstance(columns, dict):
        raise RevealError(_("not a record"))
    return columns


def _unpadded(columns: Any) -> dict[str, Any]:
    if not isinstance(columns, dict):
        raise RevealError(_("not a record"))
    columns.pop(export_format.PAD, None)
    return columns


# Names on a deliverable (what is handed to management): safety in numbers (DESIGN
# invariant 5). A signer who agreed to be named is printed only when at least this many
# did, the same small-cell threshold as every breakdown (core/kanon.py), so nobody
# stands alone or nearly alone on the page.
MIN_NAMED = MIN_COUNT


@dataclass(frozen=True)
class DeliverableNames:
    """Who a deliverable names. `names` is empty unless at least `MIN_NAMED` people
    agreed; it is sorted by the name alone, so the order says nothing about who came
    first. No day or anything else per person: the deliverable's only date is its own."""

    names: list[str]
    consented: int  # people who agreed to be named (with a name to print)
    minimum: int = MIN_NAMED

    @property
    def withheld(self) -> bool:
        return 0 < self.consented < self.minimum


def _name_order(name: str) -> tuple[str, str, str]:
    """Alphabetical with accents set aside (Émile between Dan and Hal), then exact."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    base = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return (base, folded, name)


def deliverable_names(rows: Iterable[dict[str, Any]], minimum: int = MIN_NAMED) -> DeliverableNames:
    """The names a deliverable may print, from rows already counted once per person.
    Only an explicit `consent_named: true` counts (a forged export's "yes" does not)."""
    names = [
        str(r.get("name")).strip()
        for r in rows
        if r.get("consent_named") is True and isinstance(r.get("name"), str) and r.get("name", "").strip()
    ]
    names.sort(key=_name_order)
    return DeliverableNames(names=names if len(names) >= minimum else [], consented=len(names), minimum=minimum)


def names_withheld_message(named: DeliverableNames) -> str:
    """Why a deliverable prints no names, for the organizer (never printed on it)."""
    return ngettext(
        "Only %(n)d signer agreed to be named; names are printed once at least %(min)d have, "
        "so nobody stands alone. The deliverable shows only the count of everyone who signed.",
        "Only %(n)d signers agreed to be named; names are printed once at least %(min)d have, "
        "so nobody stands alone. The deliverable shows only the count of everyone who signed.",
        named.consented,
    ) % {"n": named.consented, "min": named.minimum}


def tell_organizer(message: Callable[[], str]) -> None:
    """A note for the organizer running the tool, on stderr, never in what is handed over.
    Made in the terminal's language: a PDF writer runs in the addressee's."""
    from django.utils import translation

    from .management.base import terminal_language

    with translation.override(terminal_language()):
        text = message()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def to_csv(revealed: Revealed) -> str:
    columns: list[str] = []
    for row in revealed.rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    # Column names come from the export too (a forged one can add any key): neutralized
    # like every cell.
    writer.writerow([safe_cell(str(c)) for c in columns])
    for row in revealed.rows:
        writer.writerow([safe_cell(row.get(c, "")) for c in columns])
    return out.getvalue()


# A spreadsheet runs a cell as a formula when it starts with one of these (after any
# leading spaces, in some programs), full-width forms included.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)  # nested data from a forged export: as text
    if value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


_SAFE_PART = re.compile(r"[^a-z0-9-]+")


def output_stem(export: dict[str, Any]) -> str:
    """The output file name (without extension), built only from safe parts: the kind's
    prefix (registered, or its app's label, checked in check_format) and the parent's
    slug or id reduced to a-z, 0-9 and hyphens. Nothing a forged export says can make it
    a path."""
    prefix = file_prefix(export["kind"])
    parent = export.get("parent") or {}
    name = str(parent.get("slug") or parent.get("id") or "").lower()
    name = _SAFE_PART.sub("-", name).strip("-")[:80] or "export"
    prefix = _SAFE_PART.sub("-", prefix).strip("-") or "export"
    return f"{prefix}-{name}"


# Extra ids a kind's records must carry in their sealed envelope, beyond campaign,
# parent and row: {"cards.note": ("person",)}. Each is checked against the record's field.
_record_ids: dict[str, tuple[str, ...]] = {}


def register_record_ids(kind: str, names: tuple[str, ...]) -> None:
    _record_ids[kind] = names


# Checks a kind's opened records must pass beyond their envelope (e.g. a card's consent
# and text hash); a record with problems is reported as a failure, not shown as a row.
RecordCheck = Callable[[dict[str, Any]], list[str]]
_checks: dict[str, RecordCheck] = {}


def register_check(kind: str, check: RecordCheck) -> None:
    _checks[kind] = check


# Output file names: "<prefix>-<parent slug>.csv"; the prefix is the app label unless a
# kind registers its own (an app with several kinds, e.g. cards and its roster).
_file_prefixes: dict[str, str] = {}


def register_file_prefix(kind: str, prefix: str) -> None:
    _file_prefixes[kind] = prefix


def file_prefix(kind: str) -> str:
    return _file_prefixes.get(kind) or kind.split(".")[0]


class PdfWriter(Protocol):
    """Builds a kind's deliverable PDF on the named paper (None: this computer's)."""

    def __call__(self, revealed: Revealed, *, paper: str | None = None) -> bytes: ...


_pdf_writers: dict[str, PdfWriter] = {}


_writers_of_every_row: set[str] = set()


def register_pdf(kind: str, writer: PdfWriter, *, every_row: bool = False) -> None:
    """`every_row`: the writer gets every opened record, repeats included (marked
    `repeat_of`), and chooses which of a person's records to list itself (the card
    drive lists a signer's latest card); otherwise one record per person (core/dedup.py)."""
    _pdf_writers[kind] = writer
    if every_row:
        _writers_of_every_row.add(kind)
    else:
        _writers_of_every_row.discard(kind)


def pdf_gets_every_row(kind: str) -> bool:
    return kind in _writers_of_every_row


def pdf_writer(kind: str) -> PdfWriter | None:
    return _pdf_writers.get(kind)


# What `concerted reveal --KIND ID` fetches from the server: {"petition": "/o/petitions/{id}/export.json"}.
EXPORT_PATHS: dict[str, str] = {}


def register_export_path(option: str, path_template: str) -> None:
    EXPORT_PATHS[option] = path_template


# Where `concerted reveal --KIND ID --confirm` reports the committee's count of different
# people, for kinds whose threshold the committee confirms: {"pledge": "/o/pledges/{id}/confirm.json"}.
CONFIRM_PATHS: dict[str, str] = {}


def register_confirm_path(option: str, path_template: str) -> None:
    CONFIRM_PATHS[option] = path_template


# What `concerted reveal` says it opened, for kinds whose records are not one per person
# (a survey's free text is not linked to its respondent, so nobody can count people in
# it): {kind: line given the number of records}. Other kinds count different people.
CountLine = Callable[[int], str]
_count_lines: dict[str, CountLine] = {}


def register_count_line(kind: str, line: CountLine) -> None:
    _count_lines[kind] = line


def count_line(kind: str, records: int, people: int, summary: str) -> str:
    line = _count_lines.get(kind)
    if line is not None:
        return line(records)
    return _("Different people: %(n)d (%(summary)s)") % {"n": people, "summary": summary}

"""Opening a sealed export on the organizer's machine.

Every record is decrypted and checked against the ids it was exported under; a record
that can't be opened or belongs elsewhere is reported, never silently dropped. Apps
register how to write their deliverable PDF for their kind of record."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nacl.public import PrivateKey

from . import export as export_format
from .sealing import RevealError, open_sealed


@dataclass
class Revealed:
    export: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (record id, reason)


def check_format(export: dict[str, Any]) -> None:
    if not isinstance(export, dict) or export.get("format") != export_format.FORMAT:
        raise RevealError("this file is not a Concerted sealed export")


def open_export(export: dict[str, Any], private_key: PrivateKey) -> Revealed:
    check_format(export)
    result = Revealed(export=export)
    opened = 0
    for record in export.get("records", []):
        rid = str(record.get("id"))
        try:
            blob = base64.b64decode(record["sealed"], validate=True)
            ids = export_format.expected_ids(export, record)
            ids.update({name: str(record[name]) for name in _record_ids.get(export["kind"], ())})
            data = open_sealed(private_key, blob, kind=export["kind"], ids=ids)
        except (RevealError, KeyError, binascii.Error, ValueError) as exc:
            result.failures.append((rid, str(exc)))
            continue
        opened += 1
        clear = {k: v for k, v in record.items() if k not in ("id", "sealed")}
        row = {"id": rid, "day": record.get("day", ""), "segment": record.get("segment", ""), **clear, **data}
        problems = _checks[export["kind"]](row) if export["kind"] in _checks else []
        if problems:
            result.failures.append((rid, "; ".join(problems)))
            continue
        result.rows.append(row)
    if export.get("records") and not opened:
        raise RevealError(
            "none of the records could be opened with this key: is it the committee key of this campaign?"
        )
    return result


def to_csv(revealed: Revealed) -> str:
    columns: list[str] = []
    for row in revealed.rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in revealed.rows:
        # Neutralize spreadsheet formulas in what participants typed.
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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


PdfWriter = Callable[[Revealed], bytes]
_pdf_writers: dict[str, PdfWriter] = {}


def register_pdf(kind: str, writer: PdfWriter) -> None:
    _pdf_writers[kind] = writer


def pdf_writer(kind: str) -> PdfWriter | None:
    return _pdf_writers.get(kind)


# What `concerted reveal --KIND ID` fetches from the server: {"petition": "/o/petitions/{id}/export.json"}.
EXPORT_PATHS: dict[str, str] = {}


def register_export_path(option: str, path_template: str) -> None:
    EXPORT_PATHS[option] = path_template

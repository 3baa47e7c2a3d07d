"""The sealed export: what leaves the server for `concerted reveal` and the browser
signer list. It holds ciphertext and the ids each record must match, never a key.

    {"format": "concerted-export/3", "kind": "petitions.signature",
     "campaign": {...}, "parent_field": "petition", "parent": {...},
     "records": [{"id": ..., "sealed": base64}, ...], "columns": base64}

A record carries nothing in the clear but its id. What the server keeps beside the
blobs (each record's day, group, a card's text hash, a report's type, a messaging
"stopped" flag, a log entry's person) goes in `columns`, ONE box for the whole export,
sealed to the campaign key at download time in an envelope of its own kind
("<kind>/columns") naming the same campaign and parent, so it can't be moved to another
export. Inside, `{"records": {record id: its columns}}`, every record's columns padded
to one length (the box's length, less what the known record count accounts for, must
not tell how many records are in a group whose name is longer). In the clear they would
be microdata, day x group per record, for anyone holding the file: the small cells the
audited group tables hide (DESIGN invariant 4), and, downloaded again and again, each
new record's group as it arrives. For the same reason records come in id order
(random), not in the order of their days or groups. A kind with nothing beside the
blob has no `columns`.

Older formats still open: 2 (concerted-export/2) sealed each record's columns in a box
of its own (the record's `columns`, naming its row too: twice the crypto); 1
(concerted-export/1) had them in the clear."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from nacl.public import PublicKey

from . import sealing

FORMAT = "concerted-export/3"
FORMAT_RECORD_COLUMNS = "concerted-export/2"  # read, never written: a `columns` box per record
FORMAT_CLEAR_COLUMNS = "concerted-export/1"  # read, never written
FORMATS = (FORMAT, FORMAT_RECORD_COLUMNS, FORMAT_CLEAR_COLUMNS)

# The export's key holding the sealed columns (a record's, in format 2); the key inside
# them mapping each record's id to its columns; and the key inside a record's columns
# that pads them all to one length (a group's name must not show in the box's length).
COLUMNS = "columns"
RECORDS = "records"
PAD = "_pad"
# Room for every column but the group's name: day, card text hash, report type,
# "stopped", a person's id, an invite target (under 150 bytes, with their keys).
COLUMNS_ROOM = 256


def columns_kind(kind: str) -> str:
    return f"{kind}/columns"


def _json_size(data: dict[str, Any]) -> int:
    # Serialized as sealing.seal serializes the envelope it sits in.
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def padded(columns: dict[str, Any], size: int) -> dict[str, Any]:
    """`columns` with a filler making them serialize to at least `size` bytes."""
    short = size - _json_size({**columns, PAD: ""})
    return {**columns, PAD: " " * max(0, short)}


def columns_size(campaign: Any, columns: Iterable[dict[str, Any]]) -> int:
    """One length for every record's columns in this export, fixed by the campaign's
    groups rather than by which records exist: the longest group name (in bytes) plus
    room for the rest. Only a record longer than that (none the server writes) makes
    the export's columns longer."""
    segments = getattr(campaign, "segments", None)
    labels = segments.values_list("label", flat=True) if segments is not None else []
    longest = max((len(str(label).encode("utf-8")) for label in labels), default=0)
    return max([COLUMNS_ROOM + longest, *(_json_size({**c, PAD: ""}) for c in columns)])


def seal_columns(
    public_key: PublicKey, *, kind: str, ids: dict[str, str], records: dict[str, dict[str, Any]], size: int = 0
) -> bytes:
    """The export's one `columns` box: each record's columns (by record id), padded."""
    data = {RECORDS: {rid: padded(columns, size) for rid, columns in records.items()}}
    return sealing.seal(public_key, kind=columns_kind(kind), ids=ids, data=data)


def build(
    *,
    kind: str,
    campaign: Any,
    parent_field: str,
    parent: dict[str, Any],
    records: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    rows = sorted(records, key=lambda r: str(r["id"]))
    sealed_rows = [{"id": str(r["id"]), "sealed": base64.b64encode(bytes(r["sealed"])).decode()} for r in rows]
    columns = [{k: v for k, v in r.items() if k not in ("id", "sealed")} for r in rows]
    sealed_columns: dict[str, str] = {}
    # The key is read only when there is something to seal: an empty export needs none.
    if any(columns):
        blob = seal_columns(
            campaign.nacl_public_key(),
            kind=kind,
            ids={"campaign": str(campaign.pk), parent_field: str(parent["id"])},
            records={out["id"]: clear for out, clear in zip(sealed_rows, columns, strict=True)},
            size=columns_size(campaign, columns),
        )
        sealed_columns[COLUMNS] = base64.b64encode(blob).decode()
    return {
        "format": FORMAT,
        "kind": kind,
        "campaign": {
            "id": str(campaign.pk),
            "name": campaign.name,
            "committee": campaign.committee_name,
            "employer": campaign.employer_name,
            "unit_size": campaign.unit_size,
            "public_key": campaign.public_key,
            # The language the deliverable PDF is written in unless `reveal --language` says otherwise.
            "language": campaign.language,
            # So that mail sent from the organizer's machine is checked against them again.
            "employer_domains": campaign.employer_domain_list(),
        },
        "parent_field": parent_field,
        "parent": parent,
        "records": sealed_rows,
        **sealed_columns,
    }


def export_ids(export: dict[str, Any]) -> dict[str, str]:
    """The ids the export's `columns` box must name."""
    return {"campaign": str(export["campaign"]["id"]), export["parent_field"]: str(export["parent"]["id"])}


def expected_ids(export: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    return {**export_ids(export), "row": str(record["id"])}

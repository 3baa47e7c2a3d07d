"""The sealed export: what leaves the server for `concerted reveal` and the browser
signer list. It holds ciphertext and the ids each record must match, never a key.

    {"format": "concerted-export/2", "kind": "petitions.signature",
     "campaign": {...}, "parent_field": "petition", "parent": {...},
     "records": [{"id": ..., "sealed": base64, "columns": base64}, ...]}

A record carries nothing in the clear but its id. What the server keeps beside the
blob (the day, the group, a card's text hash, a report's type, a messaging "stopped"
flag, a log entry's person) goes in `columns`, sealed to the campaign key at download
time in an envelope of its own kind ("<kind>/columns") naming the same campaign,
parent and row, so it can't be moved to another record. In the clear they would be
microdata, day x group per record, for anyone holding the file: the small cells the
audited group tables hide (DESIGN invariant 4), and, downloaded again and again, each
new record's group as it arrives. For the same reason records come in id order (random),
not in the order of their days or groups. A kind with nothing beside the blob has no
`columns`.

Format 1 (concerted-export/1) had those columns in the clear; it still opens."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from nacl.public import PublicKey

from . import sealing

FORMAT = "concerted-export/2"
FORMAT_CLEAR_COLUMNS = "concerted-export/1"  # read, never written
FORMATS = (FORMAT, FORMAT_CLEAR_COLUMNS)

# The record's key holding its sealed columns, and the key inside them that pads every
# record's columns to one length (a group's name must not show in the blob's length).
COLUMNS = "columns"
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
    public_key: PublicKey, *, kind: str, ids: dict[str, str], columns: dict[str, Any], size: int = 0
) -> bytes:
    return sealing.seal(public_key, kind=columns_kind(kind), ids=ids, data=padded(columns, size))


def build(
    *,
    kind: str,
    campaign: Any,
    parent_field: str,
    parent: dict[str, Any],
    records: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    rows = sorted(records, key=lambda r: str(r["id"]))
    columns = [{k: v for k, v in r.items() if k not in ("id", "sealed")} for r in rows]
    sealed_rows: list[dict[str, Any]] = []
    # The key is read only when there is something to seal: an empty export needs none.
    public_key = campaign.nacl_public_key() if any(columns) else None
    size = columns_size(campaign, columns) if any(columns) else 0
    for row, clear in zip(rows, columns, strict=True):
        out = {"id": str(row["id"]), "sealed": base64.b64encode(bytes(row["sealed"])).decode()}
        if clear and public_key is not None:
            ids = {"campaign": str(campaign.pk), parent_field: str(parent["id"]), "row": out["id"]}
            blob = seal_columns(public_key, kind=kind, ids=ids, columns=clear, size=size)
            out[COLUMNS] = base64.b64encode(blob).decode()
        sealed_rows.append(out)
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
    }


def expected_ids(export: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    return {
        "campaign": str(export["campaign"]["id"]),
        export["parent_field"]: str(export["parent"]["id"]),
        "row": str(record["id"]),
    }

"""The sealed export: what leaves the server for `concerted reveal` and the browser
signer list. It holds ciphertext and the ids each record must match, never a key.

    {"format": "concerted-export/1", "kind": "petitions.signature",
     "campaign": {...}, "parent_field": "petition", "parent": {...},
     "records": [{"id": ..., "day": ..., "segment": ..., "sealed": base64}, ...]}
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

FORMAT = "concerted-export/1"


def build(
    *,
    kind: str,
    campaign: Any,
    parent_field: str,
    parent: dict[str, Any],
    records: Iterable[dict[str, Any]],
) -> dict[str, Any]:
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
        "records": [
            {**{k: v for k, v in r.items() if k != "sealed"}, "sealed": base64.b64encode(bytes(r["sealed"])).decode()}
            for r in records
        ],
    }


def expected_ids(export: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    return {
        "campaign": str(export["campaign"]["id"]),
        export["parent_field"]: str(export["parent"]["id"]),
        "row": str(record["id"]),
    }

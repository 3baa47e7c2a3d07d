"""What sealing the export's columns costs: python bench/bench_export.py [--n 20000]

Builds the sealed export of N signatures in-process (`export.build`, what every export
download runs) and opens it (`reveal.open_export`, what `concerted reveal` and the
deliverables run), with the day and group columns and without any: the ratio is the
price of keeping them sealed (docs/PERFORMANCE.md, docs/SECURITY.md "The sealed export
itself"). No database: the records are made in memory."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from nacl.public import PrivateKey

    from concerted.core import export, keys, reveal, sealing

    key = PrivateKey.generate()

    class Campaign:
        pk = uuid.uuid4()
        name, committee_name, employer_name, unit_size, language = "c", "committee", "employer", 100, "en"
        public_key = keys.format_public(key.public_key)
        segments = None

        def nacl_public_key(self) -> Any:
            return key.public_key

        def employer_domain_list(self) -> list[str]:
            return []

    campaign, petition = Campaign(), str(uuid.uuid4())
    records = []
    for i in range(args.n):
        row = str(uuid.uuid4())
        ids = {"campaign": str(campaign.pk), "petition": petition, "row": row}
        data = {"name": f"Signer {i}", "contact": "", "comment": "", "consent_named": True, "day": "2026-12-01"}
        sealed = sealing.seal(key.public_key, kind="petitions.signature", ids=ids, data=data)
        records.append({"id": row, "sealed": sealed, "day": "2026-12-01", "segment": f"Team {i % 7}"})

    def timed(rows: list[dict[str, Any]]) -> tuple[float, float]:
        start = time.perf_counter()
        built = export.build(
            kind="petitions.signature",
            campaign=campaign,
            parent_field="petition",
            parent={"id": petition},
            records=rows,
        )
        middle = time.perf_counter()
        opened = reveal.open_export(built, key)
        assert len(opened.rows) == args.n and not opened.failures
        return middle - start, time.perf_counter() - middle

    bare = [{"id": r["id"], "sealed": r["sealed"]} for r in records]
    build_bare, open_bare = timed(bare)
    build_cols, open_cols = timed(records)
    print(
        f"{args.n} records: build {build_cols:.2f} s with columns, {build_bare:.2f} s without "
        f"({build_cols / build_bare:.2f}x); open {open_cols:.2f} s with, {open_bare:.2f} s without "
        f"({open_cols / open_bare:.2f}x)"
    )


if __name__ == "__main__":
    main()

"""Where `concerted reveal` spends its time: python bench/reveal_phases.py EXPORT KEY [--no-pdf]
(with --no-pdf the PDF's share is what remains of the command's total)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from concerted.core import keys
    from concerted.core.reveal import open_export, pdf_writer, to_csv

    t0 = time.perf_counter()
    export = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    private = keys.parse_private(Path(sys.argv[2]).read_text())
    t1 = time.perf_counter()
    revealed = open_export(export, private)
    t2 = time.perf_counter()
    to_csv(revealed)
    t3 = time.perf_counter()
    writer = pdf_writer(export["kind"])
    pdf_bytes = len(writer(revealed)) if writer and "--no-pdf" not in sys.argv else 0
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "load_json_s": round(t1 - t0, 2),
                "open_s": round(t2 - t1, 2),
                "csv_s": round(t3 - t2, 2),
                **({"pdf_s": round(t4 - t3, 2), "pdf_mb": round(pdf_bytes / 1e6, 1)} if pdf_bytes else {}),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Messaging benchmark: `concerted send` for 10,000 recipients against opening the same
10,000 sealed records, in the same run.

    .venv/bin/python bench/bench_messaging.py [--messages 10000] [--json FILE]

Makes a committee key and a sealed message download (send.json) of N petition
signatures whose signers agreed to messages, then times:

1. baseline: `core.reveal.open_export` on the export (what `concerted reveal` does
   first: every record decrypted and checked against its ids);
2. send: the whole `concerted send --send` on the same file: open, address (consent,
   stop token, repeats, employer domains), render each message, and hand each one to a
   local SMTP server (aiosmtpd on 127.0.0.1, STARTTLS with a certificate made for the
   run, one connection), journaling and fsyncing "sending" and "sent" around each.

Prints both times, messages per second, and the ratio send / open. Nothing here runs
in the test suite; the figures go to docs/PERFORMANCE.md ("Messaging")."""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="concerted-bench-messaging-") as name:
        run(args, Path(name))


def run(args: argparse.Namespace, folder: Path) -> None:
    tmp_name = str(folder)
    os.environ["CONCERTED_DATA_DIR"] = tmp_name
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from nacl.public import PrivateKey

    from concerted.core import export as export_format
    from concerted.core import keys, sealing
    from concerted.core.reveal import open_export
    from concerted.messaging.views import FORMAT

    private = PrivateKey.generate()
    key_path = folder / "committee.key"
    key_path.write_text(keys.format_private(private))
    campaign_id, petition_id = str(uuid.uuid4()), str(uuid.uuid4())
    records = []
    for i in range(args.messages):
        row = str(uuid.uuid4())
        data = {
            "name": f"Coworker {i}",
            "contact": f"coworker{i}@example.net",
            "comment": "",
            "consent_named": False,
            "day": "2026-11-01",
            "may_message": True,
            "stop": base64.urlsafe_b64encode(os.urandom(18)).decode(),
        }
        ids = {"campaign": campaign_id, "petition": petition_id, "row": row}
        blob = sealing.seal(private.public_key, kind="petitions.signature", ids=ids, data=data)
        records.append({"id": row, "sealed": base64.b64encode(blob).decode()})
    # The day and "stopped" sealed beside the records, as the server's download has them.
    columns = export_format.seal_columns(
        private.public_key,
        kind="petitions.signature",
        ids={"campaign": campaign_id, "petition": petition_id},
        records={r["id"]: {"day": "2026-11-01", "stopped": False} for r in records},
    )
    export = {
        "format": export_format.FORMAT,
        "kind": "petitions.signature",
        "campaign": {
            "id": campaign_id,
            "name": "Bench",
            "committee": "Bench committee",
            "employer_domains": ["acme.com"],
        },
        "parent_field": "petition",
        "parent": {"id": petition_id, "slug": "bench", "title": "Bench"},
        "records": records,
        "columns": base64.b64encode(columns).decode(),
    }
    message = {
        "id": str(uuid.uuid4()),
        "subject": "We reached 40%",
        "body": "**Act on Monday.** Meet at the *south entrance*.\n\n- bring a friend\n- bring your receipt",
        "text": "",
        "committee": "Bench committee",
        "campaign": "Bench",
        "stop_base": "https://concerted.example.org",
    }
    path = folder / "send.json"
    path.write_text(json.dumps({"format": FORMAT, "message": message, "export": export}))

    # Baseline: opening the same records.
    t0 = time.perf_counter()
    opened = open_export(json.loads(path.read_text())["export"], private)
    open_s = time.perf_counter() - t0
    assert len(opened.rows) == args.messages and not opened.failures

    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(cert), str(key)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port = int(sink.stdout.readline())  # type: ignore[union-attr]
        t0 = time.perf_counter()
        call_command(
            "send", "--file", str(path), "--key", str(key_path), "--send", "--journal", str(folder / "journal"),
            "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-cafile", str(cert),
            "--from", "committee@committee.example.org", "--per-minute", "0", stdout=io.StringIO(),
        )  # fmt: skip
        send_s = time.perf_counter() - t0
    finally:
        out, _err = sink.communicate("", timeout=60)
    received = int(out.strip().splitlines()[-1])
    assert received == args.messages, received

    figures = {
        "messages": args.messages,
        "open_s": round(open_s, 2),
        "send_s": round(send_s, 2),
        "messages_per_s": round(args.messages / send_s),
        "send_over_open": round(send_s / open_s, 1),
    }
    print(
        f"-- messaging: opening {args.messages} sealed records {figures['open_s']} s; "
        f"addressing and handing {args.messages} messages to a local SMTP server (STARTTLS, journal fsynced) "
        f"{figures['send_s']} s ({figures['messages_per_s']}/s) = {figures['send_over_open']}x the opening"
    )
    print(json.dumps(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

from __future__ import annotations

import dataclasses
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from concerted.core import dedup, keys
from concerted.core.reveal import (
    EXPORT_PATHS,
    Revealed,
    RevealError,
    open_export,
    output_stem,
    pdf_writer,
    to_csv,
)


class Command(BaseCommand):
    help = (
        "Open a sealed export on this computer with the committee's private key and write CSV and PDF. "
        "Either --file EXPORT.json, or --server URL with a token (CONCERTED_TOKEN or --token) and --petition ID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", required=True, help="The committee private key file (committee.key)")
        parser.add_argument("--out", default=".", help="Folder for the CSV and PDF")
        parser.add_argument("--file", help="A sealed export downloaded from the dashboard")
        parser.add_argument("--server", help="The Concerted server, e.g. https://concerted.example.org")
        parser.add_argument("--token", help="A reveal token (or set CONCERTED_TOKEN)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The deliverable PDF's language: the addressee's (default: the campaign's main language)",
        )
        for kind in EXPORT_PATHS:
            parser.add_argument(f"--{kind}", help=f"Fetch the {kind} export with this id (shown on its dashboard)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            private = keys.read_private_file(options["key"])
        except keys.KeyFormatError as exc:
            raise CommandError(str(exc)) from None
        export = self.load(options)
        try:
            revealed = open_export(export, private)
        except RevealError as exc:
            raise CommandError(str(exc)) from None
        # Repeats are found here, never on the server (core/dedup.py); the CSV keeps every
        # record (repeats marked), the deliverable lists each person once.
        found = dedup.collapse(revealed.rows)
        self.stdout.write(_("Different people: %(n)d (%(summary)s)") % {"n": found.people, "summary": found.summary()})
        if export["parent"].get("count_only"):
            # A threshold not yet confirmed: the committee needs the count of different
            # people to confirm it, and nothing else (safety in numbers).
            self.stdout.write(
                _("Not confirmed yet: no names written. Confirm on the dashboard with %(n)d different people.")
                % {"n": found.people}
            )
            self._refused(revealed)
            return
        revealed = dataclasses.replace(revealed, rows=[*found.unique, *found.repeats])
        out = Path(options["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        stem = output_stem(export)
        csv_path = out / f"{stem}.csv"
        self.write_private(out, csv_path, to_csv(revealed).encode("utf-8"))
        self.stdout.write(_("Opened %(n)d record(s): %(path)s") % {"n": len(revealed.rows), "path": csv_path})
        writer = pdf_writer(export["kind"])
        if writer is not None:
            pdf_path = out / f"{stem}.pdf"
            language = options.get("language") or export["campaign"].get("language") or settings.LANGUAGE_CODE
            if language not in dict(settings.LANGUAGES):
                language = settings.LANGUAGE_CODE  # an export from a newer server; its words stay readable
            with translation.override(language):
                pdf = writer(dataclasses.replace(revealed, rows=found.unique))
            self.write_private(out, pdf_path, pdf)  # it holds names
            self.stdout.write(_("Deliverable PDF: %(path)s") % {"path": pdf_path})
        self._refused(revealed)

    def _refused(self, revealed: Revealed) -> None:
        for rid, reason in revealed.failures:
            self.stderr.write(f"REFUSED record {rid}: {reason}")
        if revealed.duplicates:
            self.stderr.write(
                f"{revealed.duplicates} duplicated or replayed record(s) in this export were counted once: "
                "the server sent the same record more than once."
            )
        if revealed.failures:
            raise CommandError(f"{len(revealed.failures)} record(s) could not be verified; see above.")

    @staticmethod
    def write_private(out: Path, path: Path, content: bytes) -> None:
        """0600, inside --out only, never through a symlink planted there."""
        if path.resolve().parent != out.resolve():
            raise CommandError(f"Refusing to write outside {out}: {path}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)

    def load(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["file"]:
            try:
                return json.loads(Path(options["file"]).expanduser().read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"Can't read {options['file']}: {exc.strerror}") from None
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise CommandError(f"{options['file']} is not a Concerted sealed export") from None
        chosen = [(kind, options[kind]) for kind in EXPORT_PATHS if options.get(kind)]
        if not options["server"] or len(chosen) != 1:
            raise CommandError(
                "Give --file EXPORT.json, or --server URL and one of: " + ", ".join(f"--{k} ID" for k in EXPORT_PATHS)
            )
        token = options["token"] or os.environ.get("CONCERTED_TOKEN", "")
        if not token:
            raise CommandError(
                "Give a reveal token with --token or CONCERTED_TOKEN (make one on the Reveal tokens page)."
            )
        kind, ident = chosen[0]
        if not options["server"].startswith(("https://", "http://")):
            raise CommandError("--server must start with https:// (or http:// for a local demo)")
        url = options["server"].rstrip("/") + EXPORT_PATHS[kind].format(id=ident)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (scheme checked above)
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            hint = {401: "the token is wrong or expired", 404: "no such item, or you don't organize it"}.get(
                exc.code, ""
            )
            if not hint and exc.headers.get_content_type() in ("text/plain", "application/json"):
                # The server's own explanation (e.g. a pledge not yet confirmed): short, text only.
                hint = exc.read(500).decode("utf-8", "replace").strip()
            raise CommandError(f"The server refused: HTTP {exc.code} {hint}".strip()) from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise CommandError(f"Can't reach {options['server']}: {getattr(exc, 'reason', exc)}") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError("The server did not send a sealed export (is the URL right?)") from None

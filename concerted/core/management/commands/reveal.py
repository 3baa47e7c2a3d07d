from __future__ import annotations

import dataclasses
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.core import dedup, keys, paper, translations
from concerted.core.management.base import OrganizerCommand
from concerted.core.reveal import (
    CONFIRM_PATHS,
    EXPORT_PATHS,
    Revealed,
    RevealError,
    count_line,
    open_export,
    output_stem,
    pdf_gets_every_row,
    pdf_writer,
    to_csv,
)


class Command(OrganizerCommand):
    # --language is the addressee's (the PDF's); what the organizer reads follows the terminal.
    language_option = None

    help = gettext_lazy(
        "Open a sealed export on this computer with the committee's private key and write CSV and PDF. "
        "Either --file EXPORT.json, or --server URL with a token (CONCERTED_TOKEN or --token) and --petition ID. "
        "For a pledge that reached its threshold, it counts the different people and, once you say yes "
        "(or with --confirm), reports that count to the server, which confirms the pledge on it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", required=True, help=gettext_lazy("The committee private key file (committee.key)"))
        parser.add_argument("--out", default=".", help=gettext_lazy("Folder for the CSV and PDF"))
        parser.add_argument("--file", help=gettext_lazy("A sealed export downloaded from the dashboard"))
        parser.add_argument("--server", help=gettext_lazy("The Concerted server, e.g. https://concerted.example.org"))
        parser.add_argument("--token", help=gettext_lazy("A reveal token (or set CONCERTED_TOKEN)"))
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help=gettext_lazy(
                "The deliverable PDF's language: the addressee's (default: the campaign's main language)"
            ),
        )
        parser.add_argument(
            "--paper",
            choices=paper.NAMES,
            type=str.lower,
            help=gettext_lazy("a4 or letter (default: CONCERTED_PAPER, or what CONCERTED_TIME_ZONE implies)"),
        )
        for kind in EXPORT_PATHS:
            parser.add_argument(f"--{kind}", help=f"Fetch the {kind} export with this id (shown on its dashboard)")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Report the count of different people to the server and confirm the threshold without asking "
            "(with --server and --" + " / --".join(CONFIRM_PATHS) + ")",
        )

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
        self.stdout.write(count_line(export["kind"], len(revealed.rows), found.people, found.summary()))
        if export["parent"].get("count_only"):
            # A threshold not yet confirmed: the committee needs the count of different
            # people to confirm it, and nothing else (safety in numbers).
            self._refused(revealed)
            self.stdout.write(_("Not confirmed yet: no names written."))
            self.confirm_threshold(options, export, found, records=len(revealed.rows))
            return
        if options["confirm"]:
            raise CommandError(_("Nothing to confirm: this export is not a threshold waiting for the committee."))
        revealed = dataclasses.replace(revealed, rows=[*found.unique, *found.repeats])
        out = Path(options["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        stem = output_stem(export)
        csv_path = out / f"{stem}.csv"
        self.write_private(out, csv_path, to_csv(revealed).encode("utf-8"))
        self.stdout.write(
            ngettext("Opened %(n)d record: %(path)s", "Opened %(n)d records: %(path)s", len(revealed.rows))
            % {"n": len(revealed.rows), "path": csv_path}
        )
        writer = pdf_writer(export["kind"])
        if writer is not None:
            pdf_path = out / f"{stem}.pdf"
            language = options.get("language") or export["campaign"].get("language") or settings.LANGUAGE_CODE
            if language not in dict(settings.LANGUAGES):
                language = settings.LANGUAGE_CODE  # an export from a newer server; its words stay readable
            # The subject's own text in that language too, when the organizer gave a
            # current version of it (core/translations.py); otherwise its main text.
            in_language = translations.apply_to_export(export, language)
            with translation.override(language):
                rows = [*found.unique, *found.repeats] if pdf_gets_every_row(export["kind"]) else found.unique
                pdf = writer(dataclasses.replace(revealed, export=in_language, rows=rows), paper=options["paper"])
            self.write_private(out, pdf_path, pdf)  # it holds names
            self.stdout.write(_("Deliverable PDF: %(path)s") % {"path": pdf_path})
        self._refused(revealed)

    def confirm_threshold(
        self, options: dict[str, Any], export: dict[str, Any], found: dedup.Deduplicated, records: int
    ) -> None:
        """Report the committee's count of different people to the server, which confirms
        the threshold on it (the server can't count them: it keeps every submission).
        Only after the organizer says yes: confirming tells everyone to act."""
        chosen = [kind for kind in CONFIRM_PATHS if options.get(kind)]
        threshold = export["parent"].get("threshold")
        if not options["server"] or not chosen:
            self.stdout.write(
                _(
                    "Confirm on the dashboard with %(n)d different people, or run this again with "
                    "--server, your token and --confirm to report the count from here."
                )
                % {"n": found.people}
            )
            if options["confirm"]:
                raise CommandError(
                    _("--confirm reports to the server: give --server URL and the item's id, not --file.")
                )
            return
        if isinstance(threshold, int) and found.people < threshold:
            self.stdout.write(
                _("%(n)d different people is below the threshold of %(threshold)s: nothing to confirm yet.")
                % {"n": found.people, "threshold": threshold}
            )
            if options["confirm"]:
                raise CommandError(_("Not confirmed: below the threshold."))
            return
        # The answer stays the English "yes" whatever the language: a script or a habit
        # that types it keeps working.
        question = _(
            "Confirm on the server with %(n)d different people (threshold %(threshold)s)? "
            "Everyone who pledged will see it is time to act. Type %(yes)s to confirm: "
        ) % {"n": found.people, "threshold": threshold, "yes": "yes"}
        if not options["confirm"]:
            if not sys.stdin.isatty():
                self.stdout.write(
                    _(
                        "Not confirmed. Run again with --confirm to confirm with %(n)d different people, "
                        "or confirm on the dashboard."
                    )
                    % {"n": found.people}
                )
                return
            self.stdout.write(question, ending="")
            self.stdout.flush()
            if input().strip().lower() != "yes":
                self.stdout.write(_("Not confirmed: nothing was sent to the server."))
                return
        kind = chosen[0]
        token = options["token"] or os.environ.get("CONCERTED_TOKEN", "")
        try:
            answer = call_server(
                options["server"],
                token,
                CONFIRM_PATHS[kind].format(id=options[kind]),
                {"people": found.people, "records": records},
            )
        except _NotJson:
            raise CommandError(_("The server's answer was not Concerted's: check the pledge's dashboard.")) from None
        self.stdout.write(
            _(
                "Confirmed on the server with %(n)s different people: "
                "the %(kind)s is %(status)s. You can now open the names with concerted reveal."
            )
            % {"n": answer.get("confirmed_count"), "kind": kind, "status": answer.get("status")}
        )

    def _refused(self, revealed: Revealed) -> None:
        for rid, reason in revealed.failures:
            self.stderr.write(_("REFUSED record %(id)s: %(reason)s") % {"id": rid, "reason": reason})
        if revealed.duplicates:
            self.stderr.write(
                ngettext(
                    "%(n)d duplicated or replayed record in this export was counted once: "
                    "the server sent the same record more than once.",
                    "%(n)d duplicated or replayed records in this export were counted once: "
                    "the server sent the same record more than once.",
                    revealed.duplicates,
                )
                % {"n": revealed.duplicates}
            )
        if revealed.failures:
            raise CommandError(
                ngettext(
                    "%(n)d record could not be verified; see above.",
                    "%(n)d records could not be verified; see above.",
                    len(revealed.failures),
                )
                % {"n": len(revealed.failures)}
            )

    @staticmethod
    def write_private(out: Path, path: Path, content: bytes) -> None:
        """0600, inside --out only, never through a symlink planted there."""
        if path.resolve().parent != out.resolve():
            raise CommandError(_("Refusing to write outside %(folder)s: %(file)s") % {"folder": out, "file": path})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)

    def load(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["file"]:
            try:
                return json.loads(Path(options["file"]).expanduser().read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(
                    _("Can't read %(file)s: %(error)s") % {"file": options["file"], "error": exc.strerror}
                ) from None
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise CommandError(_("%(file)s is not a Concerted sealed export") % {"file": options["file"]}) from None
        chosen = [(kind, options[kind]) for kind in EXPORT_PATHS if options.get(kind)]
        if not options["server"] or len(chosen) != 1:
            raise CommandError(
                _("Give --file EXPORT.json, or --server URL and one of: %(options)s")
                % {"options": ", ".join(f"--{k} ID" for k in EXPORT_PATHS)}
            )
        token = options["token"] or os.environ.get("CONCERTED_TOKEN", "")
        if not token:
            raise CommandError(
                _("Give a reveal token with --token or CONCERTED_TOKEN (make one on the Reveal tokens page).")
            )
        kind, ident = chosen[0]
        return fetch(options["server"], token, EXPORT_PATHS[kind].format(id=ident))


def fetch(server: str, token: str, path: str) -> dict[str, Any]:
    """GET a sealed export from the server with a reveal token; CommandError with the
    server's reason when it refuses."""
    try:
        return call_server(server, token, path)
    except _NotJson:
        raise CommandError(_("The server did not send a sealed export (is the URL right?)")) from None


def call_server(server: str, token: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET (or POST `payload` as JSON) with the token; the server's JSON answer."""
    if not server.startswith(("https://", "http://")):
        raise CommandError(_("--server must start with https:// (or http:// for a local demo)"))
    url = server.rstrip("/") + path
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (scheme checked above)
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        hint = {401: _("the token is wrong or expired"), 404: _("no such item, or you don't organize it")}.get(
            exc.code, ""
        )
        if not hint and exc.headers.get_content_type() in ("text/plain", "application/json"):
            # The server's own explanation (e.g. a pledge not yet confirmed): short, text only.
            hint = exc.read(500).decode("utf-8", "replace").strip()
        raise CommandError(
            (_("The server refused: HTTP %(code)s %(hint)s") % {"code": exc.code, "hint": hint}).strip()
        ) from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise CommandError(
            _("Can't reach %(server)s: %(error)s") % {"server": server, "error": getattr(exc, "reason", exc)}
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _NotJson from None


class _NotJson(Exception):
    pass

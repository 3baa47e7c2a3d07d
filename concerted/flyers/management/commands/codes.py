"""`concerted codes print BATCH`: print a batch's unused invite codes again, as the
same tear-off cards, on the committee's computer.

The server keeps each code sealed to the committee key and can't open it. This fetches
the sealed batch (with a reveal token, like `concerted reveal`) or reads it from a file,
opens it here with the committee's private key, checks every code belongs to this batch
and its target, and writes the card PDF (private to this user)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.core import keys, paper
from concerted.core.management.base import OrganizerCommand
from concerted.core.management.commands.reveal import fetch
from concerted.core.public import is_test_address
from concerted.core.reveal import RevealError, open_export
from concerted.flyers import pdf
from concerted.flyers.targets import Flyer
from concerted.invites import codes


def cards_from_export(export: dict[str, Any], private: Any) -> tuple[Flyer, list[str]]:
    """The flyer a batch prints for and its unused codes, opened and checked."""
    if not isinstance(export, dict) or export.get("kind") != codes.SEALED_KIND:
        raise CommandError(_("This is not a sealed invite-code batch (download it from the batch's “Print again”)."))
    try:
        opened = open_export(export, private)
    except RevealError as exc:
        raise CommandError(_("Can't open the batch: %(error)s") % {"error": exc}) from None
    parent = export["parent"]
    try:
        target = f"{parent['target_kind']}:{uuid.UUID(str(parent['target_id']))}"
        url = str(parent["public_url"])
    except (KeyError, ValueError, TypeError):
        raise CommandError(_("The batch doesn't say what its cards are for.")) from None
    if not url.startswith(("https://", "http://")):
        raise CommandError(_("The batch's address is not a web address: %(url)s") % {"url": repr(url)})
    problems = list(opened.failures)
    found: list[str] = []
    for row in opened.rows:
        parsed = codes.parse(str(row.get("code", "")))
        if row.get("target") != target:
            problems.append((row["id"], _("sealed for another petition, pledge, survey or ballot")))
        elif row.get("code") == codes.PADDING:
            continue  # a blank that keeps the download's size from telling how many were used
        elif parsed.result != codes.Result.VALID:
            problems.append((row["id"], _("not a valid code")))
        else:
            found.append(parsed.code)
    if problems:
        detail = "; ".join(f"{rid}: {reason}" for rid, reason in problems[:5])
        raise CommandError(
            ngettext(
                "%(n)d sealed code could not be verified, nothing printed (%(detail)s).",
                "%(n)d sealed codes could not be verified, nothing printed (%(detail)s).",
                len(problems),
            )
            % {"n": len(problems), "detail": detail}
        )
    flyer = Flyer(
        kind=str(parent["target_kind"]),
        kind_label="",
        target_id=uuid.UUID(str(parent["target_id"])),
        campaign=SimpleNamespace(
            committee_name=str(export["campaign"].get("committee") or ""),
            language=_language(export["campaign"].get("language")),
        ),
        headline=str(parent.get("headline") or ""),
        pitch=str(parent.get("pitch") or ""),
        public_path="",
        dashboard_url="",
        requires_invite=bool(parent.get("requires_invite")),
        is_public=True,
        privacy=str(parent.get("privacy") or ""),
        url=url,
    )
    return flyer, sorted(found)


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Print a batch's unused invite codes again as tear-off cards, on this computer: "
        "concerted codes print BATCH --key committee.key --server URL --token TOKEN --out cards.pdf "
        "(or --file with the sealed batch downloaded from the batch list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["print"], help=gettext_lazy("What to do with the batch: print"))
        parser.add_argument("batch", help=gettext_lazy("The batch's id (from the batch list)"))
        parser.add_argument("--key", required=True, help=gettext_lazy("The committee private key file (committee.key)"))
        parser.add_argument("--out", help=gettext_lazy("The PDF to write (default invite-cards-BATCH.pdf)"))
        parser.add_argument("--server", help=gettext_lazy("The Concerted server, e.g. https://concerted.example.org"))
        parser.add_argument("--token", help=gettext_lazy("A reveal token (or set CONCERTED_TOKEN)"))
        parser.add_argument(
            "--file", help=gettext_lazy("The sealed batch downloaded from the batch list, instead of --server")
        )
        parser.add_argument(
            "--paper",
            choices=paper.NAMES,
            type=str.lower,
            help=gettext_lazy("a4 or letter (default: CONCERTED_PAPER, or what CONCERTED_TIME_ZONE implies)"),
        )
        parser.add_argument("--poster", action="store_true", help=gettext_lazy("Start with the poster page"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batch_id = uuid.UUID(options["batch"])
        except ValueError:
            raise CommandError(
                _("%(batch)s is not a batch id (copy it from the batch list).") % {"batch": repr(options["batch"])}
            ) from None
        try:
            private = keys.read_private_file(options["key"])
        except keys.KeyFormatError as exc:
            raise CommandError(str(exc)) from None
        export = self.load(batch_id, options)
        if str((export.get("parent") or {}).get("id")) != str(batch_id):
            raise CommandError(_("The sealed batch is another batch than the one asked for."))
        flyer, found = cards_from_export(export, private)
        if not found:
            raise CommandError(_("No unused codes are left in this batch: nothing to print."))
        test = is_test_address(flyer.public_url)
        document = pdf.build(flyer, options["paper"], codes=found, poster=options["poster"], test=test)
        out = Path(options["out"] or f"invite-cards-{str(batch_id)[:8]}.pdf").expanduser()
        # 0600 and never through a planted symlink: the PDF holds working codes.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(document)
        self.stdout.write(
            ngettext(
                "Printed %(n)d unused code as a card: %(file)s",
                "Printed %(n)d unused codes as cards: %(file)s",
                len(found),
            )
            % {"n": len(found), "file": out}
        )
        if test:
            self.stdout.write(
                _("Stamped TEST: %(url)s can't be reached from coworkers' phones.") % {"url": flyer.public_url}
            )

    def load(self, batch_id: uuid.UUID, options: dict[str, Any]) -> dict[str, Any]:
        if options["file"]:
            try:
                return json.loads(Path(options["file"]).expanduser().read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(
                    _("Can't read %(file)s: %(error)s") % {"file": options["file"], "error": exc.strerror}
                ) from None
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise CommandError(
                    _("%(file)s is not a sealed invite-code batch") % {"file": options["file"]}
                ) from None
        if not options["server"]:
            raise CommandError(_("Give --server URL (with --token or CONCERTED_TOKEN), or --file SEALED-BATCH.json"))
        token = options["token"] or os.environ.get("CONCERTED_TOKEN", "")
        if not token:
            raise CommandError(
                _("Give a reveal token with --token or CONCERTED_TOKEN (make one on the Reveal tokens page).")
            )
        return fetch(options["server"], token, reverse("flyers:batch_sealed", args=[batch_id]))


def _language(code: object) -> str:
    """The campaign's language as the export names it; English for an older server's
    export or a language this copy doesn't have."""
    return code if isinstance(code, str) and code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concerted.core import keys
from concerted.core.dedup import normalize_contact
from concerted.core.management.commands.reveal import Command as RevealCommand
from concerted.core.reveal import RevealError, open_export
from concerted.core.text import DomainError, has_invisible, is_employer_address
from concerted.pledges.models import PLEDGE_KIND

DEFAULT_MESSAGE = (
    "Hello,\n\n"
    "You pledged: “{promise}”\n\n"
    "Enough of us pledged, and the committee has confirmed it: it is time to act together, as pledged.\n"
    "Talk to someone on the committee in person if you have questions.\n\n"
    "— {committee}\n\n"
    "You get this because you left this address with your pledge “{title}”. Read it on a personal device."
)


class Command(BaseCommand):
    help = (
        "Write to everyone who left an email with an ACTIVE pledge. Runs on the organizer's computer: the "
        "contacts are opened here with the committee key and sent through this computer's own mail settings "
        "(--smtp-host ..., or CONCERTED_EMAIL_BACKEND). The server never sees the addresses or the mail. "
        "Either --file EXPORT.json, or --server URL with a token and --pledge ID. Try --dry-run first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", required=True, help="The committee private key file (committee.key)")
        parser.add_argument("--file", help="A sealed pledge export downloaded from the dashboard")
        parser.add_argument("--server", help="The Concerted server, e.g. https://concerted.example.org")
        parser.add_argument("--token", help="A reveal token (or set CONCERTED_TOKEN)")
        parser.add_argument("--pledge", help="The pledge's id (from its dashboard)")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing")
        parser.add_argument("--from", dest="from_email", help="Sender address (default: DEFAULT_FROM_EMAIL)")
        parser.add_argument("--subject", help="Subject line (default: “Go: <pledge title>”)")
        parser.add_argument("--message", help="A text file with the message; {title} {promise} {committee} are filled")
        parser.add_argument("--smtp-host", help="Your own mail server; password from CONCERTED_SMTP_PASSWORD")
        parser.add_argument("--smtp-port", type=int, default=587)
        parser.add_argument("--smtp-user", default="")
        parser.add_argument("--smtp-ssl", action="store_true", help="Implicit TLS (port 465) instead of STARTTLS")
        parser.add_argument(
            "--employer-domain",
            action="append",
            default=[],
            help="An employer email domain to refuse (repeat it); added to the campaign's own list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            private = keys.read_private_file(options["key"])
        except keys.KeyFormatError as exc:
            raise CommandError(str(exc)) from None
        # A pledge that isn't active is refused by the server with its own explanation.
        export = RevealCommand().load(options)
        if export.get("kind") != PLEDGE_KIND:
            raise CommandError("This export is not a pledge; notify writes only to pledgers.")
        parent = export.get("parent") or {}
        if parent.get("status") != "active":
            raise CommandError("This pledge is not active: an organizer must confirm it on its dashboard first.")
        try:
            revealed = open_export(export, private)
        except RevealError as exc:
            raise CommandError(str(exc)) from None
        for rid, reason in revealed.failures:
            self.stderr.write(f"REFUSED record {rid}: {reason}")

        # Checked again here, on the machine that sends: an address the forms should have
        # refused (an older server, a forged export, a look-alike spelling) is never mailed.
        employer_domains = [str(d) for d in (export.get("campaign") or {}).get("employer_domains") or []]
        employer_domains += options["employer_domain"]
        emails: dict[str, str] = {}
        phones = 0
        refused = 0
        for row in revealed.rows:
            contact = str(row.get("contact") or "").strip()
            if "@" in contact:
                try:
                    at_employer = has_invisible(contact) or is_employer_address(contact, employer_domains)
                except DomainError:
                    at_employer = True
                if at_employer:
                    refused += 1
                    continue
                emails.setdefault(normalize_contact(contact), contact)
            elif contact:
                phones += 1
        if refused:
            self.stderr.write(
                f"NOT SENT to {refused} address(es) at an employer domain, with invisible characters, or not "
                "valid: your employer could read those mailboxes. Reach these people in person."
            )
        subject = options["subject"] or f"Go: {parent.get('title', '')}"
        body = self.message(options, export)
        sender = options["from_email"] or settings.DEFAULT_FROM_EMAIL
        messages = [EmailMessage(subject, body, sender, [address]) for address in emails.values()]

        if options["dry_run"]:
            self.stdout.write(f"Dry run: would send {len(messages)} email(s) from {sender}, one per person.")
            self.stdout.write(f"Subject: {subject}\n\n{body}\n")
            for address in emails.values():
                self.stdout.write(f"  to {address}")
        else:
            connection = self.connection(options)
            sent = connection.send_messages(messages) or 0
            self.stdout.write(f"Sent {sent} of {len(messages)} email(s), one per person.")
            if sent != len(messages):
                raise CommandError("Some emails were not sent; check your mail settings and run again.")
        if phones:
            self.stdout.write(
                f"{phones} pledger(s) left a phone number instead: text them yourself (concerted reveal lists them)."
            )

    def message(self, options: dict[str, Any], export: dict[str, Any]) -> str:
        template = DEFAULT_MESSAGE
        if options["message"]:
            try:
                template = Path(options["message"]).expanduser().read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Can't read the message file: {exc}") from None
        values = {
            "title": export["parent"].get("title", ""),
            "promise": export["parent"].get("promise", ""),
            "committee": export["campaign"].get("committee", ""),
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise CommandError(f"The message may use only {{title}}, {{promise}}, {{committee}}: {exc}") from None

    def connection(self, options: dict[str, Any]) -> Any:
        if not options["smtp_host"]:
            return get_connection()  # CONCERTED_EMAIL_BACKEND on this computer
        return EmailBackend(
            host=options["smtp_host"],
            port=options["smtp_port"],
            username=options["smtp_user"],
            password=os.environ.get("CONCERTED_SMTP_PASSWORD", ""),
            use_ssl=options["smtp_ssl"],
            use_tls=not options["smtp_ssl"],
            timeout=60,
        )

from __future__ import annotations

import csv
import io
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.core import audiences, keys
from concerted.core.management.base import OrganizerCommand
from concerted.core.management.commands.reveal import Command as RevealCommand
from concerted.core.reveal import RevealError, open_export, safe_cell

from ... import addressing, delivery, rendering, sender
from ...views import FORMAT


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Send a message composed on the server, from this computer: downloads the message and the sealed "
        "audience, opens the contacts here with the committee key, drops those who didn't agree or stopped, "
        "repeats and employer addresses, and sends one message per person through the committee's own mail "
        "server (SMTP with TLS; settings in ~/.config/concerted/mail.toml or options). A dry run unless --send."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("message", nargs="?", help=gettext_lazy("The message's id (from its page on the server)"))
        parser.add_argument("--key", required=True, help=gettext_lazy("The committee private key file (committee.key)"))
        parser.add_argument("--server", help=gettext_lazy("The Concerted server, e.g. https://concerted.example.org"))
        parser.add_argument("--token", help=gettext_lazy("A reveal token (or set CONCERTED_TOKEN)"))
        parser.add_argument(
            "--file", help=gettext_lazy("A message downloaded from the server (send.json) instead of --server")
        )
        parser.add_argument("--send", action="store_true", help=gettext_lazy("Really send (without it: a dry run)"))
        parser.add_argument(
            "--show", type=int, default=2, help=gettext_lazy("Messages printed in a dry run (default 2)")
        )
        parser.add_argument(
            "--journal", help=gettext_lazy("The journal file (default: ./concerted-send-MESSAGE.journal)")
        )
        parser.add_argument(
            "--resend-uncertain",
            action="store_true",
            help=gettext_lazy(
                "Send again to those whose message may already have gone out (after a crash); check first"
            ),
        )
        parser.add_argument(
            "--per-minute", type=float, default=30.0, help=gettext_lazy("At most this many messages a minute")
        )
        parser.add_argument("--mail-settings", help=f"Mail settings file (default {sender.DEFAULT_SETTINGS_FILE})")
        parser.add_argument("--smtp-host", help=gettext_lazy("The committee's mail server"))
        parser.add_argument("--smtp-port", type=int, help=gettext_lazy("Default 587 (STARTTLS) or 465 (implicit TLS)"))
        parser.add_argument("--smtp-user", help=gettext_lazy("Password from CONCERTED_SMTP_PASSWORD"))
        parser.add_argument("--smtp-tls", choices=sender.TLS_MODES, help=gettext_lazy("Default starttls"))
        parser.add_argument("--smtp-cafile", help=gettext_lazy("Trust this CA certificate (a self-hosted mail server)"))
        parser.add_argument("--from", dest="from_address", help=gettext_lazy("Sender address (the committee's)"))
        parser.add_argument(
            "--where",
            action="append",
            default=[],
            metavar="FIELD=V1,V2",
            help=gettext_lazy(
                "Only people whose opened record has one of these values, e.g. assessment=1,2 on the roster "
                "(repeat for several fields). Applied on this computer: the server never sees it"
            ),
        )
        parser.add_argument(
            "--phones-out", help=gettext_lazy("Folder for a CSV and a vCard of those who left a phone number")
        )
        parser.add_argument(
            "--employer-domain",
            action="append",
            default=[],
            help=gettext_lazy("Another employer email domain to refuse"),
        )
        parser.add_argument(
            "--deliver-petition",
            metavar="PETITION_ID",
            help=gettext_lazy(
                "Instead of a message: email the petition's deliverable PDF to its addressee (--to) with a cover letter"
            ),
        )
        parser.add_argument("--to", help=gettext_lazy("With --deliver-petition: the addressee's email address"))
        parser.add_argument(
            "--cover", help=gettext_lazy("With --deliver-petition: a Markdown file with the cover letter")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            private = keys.read_private_file(options["key"])
        except keys.KeyFormatError as exc:
            raise CommandError(str(exc)) from None
        if options["deliver_petition"]:
            delivery.deliver(self, options, private)
            return
        data = self.load(options)
        message, export = data["message"], data["export"]
        try:
            revealed = open_export(export, private)
        except RevealError as exc:
            raise CommandError(str(exc)) from None
        for rid, reason in revealed.failures:
            self.stderr.write(_("REFUSED record %(id)s: %(reason)s") % {"id": rid, "reason": reason})
        rows = self.current(data, revealed.rows, private)
        # A stopped record as stored, too: its log may have changed its contact since.
        stopped_as_stored = [row for row in revealed.rows if row.get("stopped") is True]
        domains = [str(d) for d in (export.get("campaign") or {}).get("employer_domains") or []]
        found = addressing.address(
            rows,
            domains + options["employer_domain"],
            keep=where(options["where"], rows),
            stopped_elsewhere=self.stopped_elsewhere(data, private),
            stopped_as_stored=stopped_as_stored,
        )
        stop_base = str(message.get("stop_base") or "")
        if not stop_base.startswith(("https://", "http://")):
            raise CommandError(_("The message names no server address for its stop links."))

        journal_path = Path(options["journal"] or f"concerted-send-{message['id']}.journal").expanduser()
        journal = sender.Journal(journal_path, sender.Journal.key_for(bytes(private), str(message["id"])))
        try:
            self.report_found(found)
            todo, done, uncertain = [], 0, []
            for recipient in found.recipients:
                state = journal.state(recipient)
                if state in (sender.SENT, sender.REFUSED):
                    done += 1
                elif state == sender.SENDING and not options["resend_uncertain"]:
                    uncertain.append(recipient)
                else:
                    todo.append(recipient)
            if done:
                self.stdout.write(
                    _("Already done in an earlier run (journal %(journal)s): %(n)d.")
                    % {"journal": journal_path, "n": done}
                )
            if uncertain:
                self.stdout.write(
                    ngettext(
                        "UNCERTAIN: %(n)d message may or may not have reached the mail server (the run "
                        "stopped after handing it over and before the journal said so). Not sent again. Ask them "
                        "in person, or run again with --resend-uncertain:",
                        "UNCERTAIN: %(n)d messages may or may not have reached the mail server (the run "
                        "stopped after handing them over and before the journal said so). Not sent again. Ask these "
                        "people in person, or run again with --resend-uncertain:",
                        len(uncertain),
                    )
                    % {"n": len(uncertain)}
                )
                for recipient in uncertain:
                    self.stdout.write(f"  {recipient.address}")
            if options["phones_out"]:
                self.write_phones(Path(options["phones_out"]).expanduser(), message, found.phones)
            elif found.phones:
                self.stdout.write(
                    ngettext(
                        "%(n)d person left only a phone number: write them a CSV and vCard for your "
                        "messaging app with --phones-out DIR.",
                        "%(n)d people left only a phone number: write them a CSV and vCard for your "
                        "messaging app with --phones-out DIR.",
                        len(found.phones),
                    )
                    % {"n": len(found.phones)}
                )

            messages = []
            try:
                renderer = rendering.Renderer(message)
                from_address = self.from_address(options)
                for recipient in todo:
                    link = rendering.stop_url(stop_base, recipient.stop_token)
                    messages.append((recipient, sender.build(renderer.for_link(link), recipient, from_address, link)))
            except ValueError as exc:
                raise CommandError(_("This message can't be sent as mail: %(error)s") % {"error": exc}) from None
            if not options["send"]:
                self.stdout.write(
                    ngettext(
                        "Dry run: would send %(n)d message, one per person. Nothing was sent; add --send to send.",
                        "Dry run: would send %(n)d messages, one per person. Nothing was sent; add --send to send.",
                        len(messages),
                    )
                    % {"n": len(messages)}
                )
                for _recipient, mail in messages[: max(0, options["show"])]:
                    self.stdout.write("-" * 60 + "\n" + _shown(mail))
                return
            self.send(options, journal, messages, message)
        finally:
            journal.close()

    def current(self, data: dict[str, Any], rows: list[dict[str, Any]], private: Any) -> list[dict[str, Any]]:
        """Each person's current record: the audience's companions (the roster's log)
        opened here too and applied by the app that registered the audience."""
        audience = audiences.get(str(data["message"].get("audience_name") or ""))
        companions = data.get("companions") or []
        if audience is None or not isinstance(companions, list):
            return rows
        opened = []
        for companion in companions:
            try:
                revealed = open_export(companion, private) if companion.get("records") else None
            except (RevealError, AttributeError) as exc:
                raise CommandError(_("Can't open what came with the audience: %(error)s") % {"error": exc}) from None
            if revealed is not None:
                for rid, reason in revealed.failures:
                    self.stderr.write(_("REFUSED log entry %(id)s: %(reason)s") % {"id": rid, "reason": reason})
                opened.append(revealed.rows)
        return audience.prepare(rows, opened)

    def stopped_elsewhere(self, data: dict[str, Any], private: Any) -> list[dict[str, Any]]:
        """The records that stopped messages in the campaign's other audiences, opened
        here, each as stored and as it is now (the roster's log applied: a contact
        given with a later consent): a stop covers the whole campaign, as the stop page
        says. A stop that can't be read can't be honoured, so nothing is sent then."""
        stops = data.get("stopped_elsewhere")
        if stops is None:
            self.stderr.write(
                _(
                    "This download comes from a server that doesn't send the stops made in the campaign's other "
                    "audiences: only stops made in this audience are applied. Update the server."
                )
            )
            return []
        if not isinstance(stops, list):
            raise CommandError(_("The stops that came with the audience are not a list."))
        rows: list[dict[str, Any]] = []
        for stopped in stops:
            try:
                revealed = open_export(stopped["export"], private)
                logs = [open_export(c, private) for c in stopped.get("companions") or [] if c.get("records")]
            except (RevealError, AttributeError, TypeError, KeyError) as exc:
                raise CommandError(
                    _("Can't open the stops made in the campaign's other audiences: %(error)s. Nothing was sent.")
                    % {"error": exc}
                ) from None
            failures = [*revealed.failures, *(f for log in logs for f in log.failures)]
            if failures:
                for rid, reason in failures:
                    self.stderr.write(_("REFUSED stop %(id)s: %(reason)s") % {"id": rid, "reason": reason})
                raise CommandError(
                    ngettext(
                        "%(n)d stop made in the campaign's other audiences can't be read, so it can't be "
                        "honoured. Nothing was sent.",
                        "%(n)d stops made in the campaign's other audiences can't be read, so they can't be "
                        "honoured. Nothing was sent.",
                        len(failures),
                    )
                    % {"n": len(failures)}
                )
            audience = audiences.get(str(stopped.get("audience_name") or ""))
            rows += revealed.rows
            if audience is not None:
                rows += audience.prepare(revealed.rows, [log.rows for log in logs])
        return rows

    def report_found(self, found: addressing.Addressed) -> None:
        if found.not_selected:
            self.stdout.write(
                ngettext(
                    "Left out by --where: %(n)d record.", "Left out by --where: %(n)d records.", found.not_selected
                )
                % {"n": found.not_selected}
            )
        emails, phones = len(found.recipients), len(found.phones)
        # Translators: each part is a count with its noun, e.g. "Recipients: 3 email addresses, 1 phone."
        self.stdout.write(
            _("Recipients: %(emails)s, %(phones)s.")
            % {
                "emails": ngettext("%(n)d email address", "%(n)d email addresses", emails) % {"n": emails},
                "phones": ngettext("%(n)d phone", "%(n)d phones", phones) % {"n": phones},
            }
        )
        if found.without_consent:
            self.stdout.write(
                ngettext(
                    "Skipped %(n)d record without consent to messages.",
                    "Skipped %(n)d records without consent to messages.",
                    found.without_consent,
                )
                % {"n": found.without_consent}
            )
        if found.stopped:
            self.stdout.write(
                ngettext(
                    "Skipped %(n)d record of people who stopped messages.",
                    "Skipped %(n)d records of people who stopped messages.",
                    found.stopped,
                )
                % {"n": found.stopped}
            )
        if found.stopped_elsewhere:
            self.stdout.write(
                ngettext(
                    "Skipped %(n)d record of people who stopped messages in another audience of this campaign.",
                    "Skipped %(n)d records of people who stopped messages in another audience of this campaign.",
                    found.stopped_elsewhere,
                )
                % {"n": found.stopped_elsewhere}
            )
        if found.repeats:
            self.stdout.write(
                ngettext(
                    "Skipped %(n)d repeat of the same contact.",
                    "Skipped %(n)d repeats of the same contact.",
                    found.repeats,
                )
                % {"n": found.repeats}
            )
        if found.refused:
            self.stderr.write(
                ngettext(
                    "NOT SENT to %(n)d address at an employer domain, with invisible characters, "
                    "or not a plain address: your employer could read that mailbox. Reach them in person.",
                    "NOT SENT to %(n)d addresses at an employer domain, with invisible characters, "
                    "or not a plain address: your employer could read those mailboxes. Reach these people in person.",
                    len(found.refused),
                )
                % {"n": len(found.refused)}
            )

    def from_address(self, options: dict[str, Any]) -> str:
        # A dry run works before the mail settings are made: it shows a stand-in sender.
        settings = self.mail_settings(options, check=options["send"])
        return settings.from_address if "@" in settings.from_address else "committee@example.invalid"

    def mail_settings(self, options: dict[str, Any], check: bool = True) -> sender.MailSettings:
        if not hasattr(self, "_mail"):
            try:
                self._mail = sender.load_settings(
                    options["mail_settings"],
                    {
                        "host": options["smtp_host"],
                        "port": options["smtp_port"],
                        "user": options["smtp_user"],
                        "tls": options["smtp_tls"],
                        "cafile": options["smtp_cafile"],
                        "from_address": options["from_address"],
                    },
                )
            except sender.MailSettingsError as exc:
                raise CommandError(_("Mail settings: %(error)s") % {"error": exc}) from None
        if check:
            try:
                self._mail.check()
            except sender.MailSettingsError as exc:
                raise CommandError(_("Mail settings: %(error)s") % {"error": exc}) from None
        return self._mail

    def send(
        self, options: dict[str, Any], journal: sender.Journal, messages: list[Any], message: dict[str, Any]
    ) -> None:
        settings = self.mail_settings(options)
        try:
            outcome = sender.send_all(settings, journal, messages, per_minute=options["per_minute"])
        except sender.MailSettingsError as exc:
            raise CommandError(str(exc)) from None
        except (OSError, sender.smtplib.SMTPException) as exc:
            raise CommandError(
                _("Can't use the mail server %(host)s: %(error)s. Nothing was sent.")
                % {"host": settings.host, "error": exc}
            ) from None
        self.stdout.write(
            ngettext(
                "Sent %(n)d message in this run; %(total)d in all.",
                "Sent %(n)d messages in this run; %(total)d in all.",
                len(outcome.sent),
            )
            % {"n": len(outcome.sent), "total": journal.count(sender.SENT)}
        )
        for recipient, note in outcome.refused:
            self.stdout.write(_("BOUNCED %(address)s: %(note)s") % {"address": recipient.address, "note": note})
        for recipient, note in outcome.failed:
            self.stdout.write(
                _("NOT SENT (temporary, run again later) %(address)s: %(note)s")
                % {"address": recipient.address, "note": note}
            )
        if options["server"]:
            self.report(options, message, journal.count(sender.SENT))
        if outcome.interrupted:
            raise CommandError(
                _(
                    "Stopped: %(reason)s. Run the same command again to go on; nobody gets a message twice, "
                    "and the one in flight is listed as uncertain."
                )
                % {"reason": outcome.interrupted}
            )

    def report(self, options: dict[str, Any], message: dict[str, Any], sent: int) -> None:
        """Tell the server how many were sent: a total, nothing about anyone."""
        url = options["server"].rstrip("/") + f"/o/messages/{message['id']}/sent/"
        request = urllib.request.Request(  # noqa: S310 (scheme checked in load)
            url,
            data=json.dumps({"sent": sent}).encode(),
            headers={"Authorization": f"Bearer {self.token(options)}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60):  # noqa: S310 (scheme checked in load)
                pass
        except (urllib.error.URLError, TimeoutError) as exc:
            self.stderr.write(
                _("Couldn't tell the server how many were sent: %(error)s") % {"error": getattr(exc, "reason", exc)}
            )

    @staticmethod
    def token(options: dict[str, Any]) -> str:
        return options["token"] or os.environ.get("CONCERTED_TOKEN", "")

    def load(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["file"]:
            data = RevealCommand().load({"file": options["file"]})
        else:
            if not options["message"] or not options["server"]:
                raise CommandError(_("Give the message id and --server URL (or --file MESSAGE.json)."))
            if not options["server"].startswith(("https://", "http://")):
                raise CommandError(_("--server must start with https:// (or http:// for a local demo)"))
            if not self.token(options):
                raise CommandError(_("Give a reveal token with --token or CONCERTED_TOKEN."))
            data = self.fetch(options)
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("export"), dict):
            raise CommandError(_("This is not a Concerted message (download it from the message's page)."))
        if options["message"] and str(data["message"].get("id")) != options["message"]:
            raise CommandError(_("This file holds another message than the one you named."))
        return data

    def fetch(self, options: dict[str, Any]) -> dict[str, Any]:
        url = options["server"].rstrip("/") + f"/o/messages/{options['message']}/send.json"
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, headers={"Authorization": f"Bearer {self.token(options)}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (scheme checked above)
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            hint = {401: _("the token is wrong or expired"), 404: _("no such message, or you don't organize it")}.get(
                exc.code, ""
            )
            if not hint and exc.headers.get_content_type() == "text/plain":
                hint = exc.read(500).decode("utf-8", "replace").strip()
            raise CommandError(
                (_("The server refused: HTTP %(code)s %(hint)s") % {"code": exc.code, "hint": hint}).strip()
            ) from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise CommandError(
                _("Can't reach %(server)s: %(error)s")
                % {"server": options["server"], "error": getattr(exc, "reason", exc)}
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError(_("The server did not send a message (is the URL right?)")) from None

    def write_phones(self, out: Path, message: dict[str, Any], phones: list[addressing.Phone]) -> None:
        """A CSV and a vCard file for the committee's own messaging app: written 0600,
        since they hold names and numbers. Each line carries the person's stop link."""
        out.mkdir(parents=True, exist_ok=True)
        stem = f"phones-{message['id']}"
        stop_base = str(message.get("stop_base") or "")
        rows = io.StringIO()
        writer = csv.writer(rows)
        writer.writerow(["name", "phone", "stop_link"])
        cards = []
        for phone in phones:
            link = rendering.stop_url(stop_base, phone.stop_token)
            writer.writerow([safe_cell(phone.name), safe_cell(phone.phone), link])
            cards.append(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"FN:{_vcard_text(phone.name or phone.phone)}\r\nTEL:{_vcard_text(phone.phone)}\r\n"
                f"NOTE:{_vcard_text(link)}\r\nEND:VCARD\r\n"
            )
        RevealCommand.write_private(out, out / f"{stem}.csv", rows.getvalue().encode("utf-8"))
        RevealCommand.write_private(out, out / f"{stem}.vcf", "".join(cards).encode("utf-8"))
        self.stdout.write(
            ngettext(
                "%(n)d phone number for your messaging app: %(stem)s.csv and .vcf",
                "%(n)d phone numbers for your messaging app: %(stem)s.csv and .vcf",
                len(phones),
            )
            % {"n": len(phones), "stem": out / stem}
        )


# What an opened record holds that isn't the participant's to select on.
NOT_SELECTABLE = frozenset({"stop", "may_message", "stopped", "id", "sealed"})


def where(selections: list[str], rows: list[dict[str, Any]] | None = None) -> Callable[[dict[str, Any]], bool] | None:
    """--where FIELD=V1,V2 (repeatable): a record is kept when, for every field, its
    value is one of those given, compared as text and regardless of case, as groups
    are everywhere else (assessment=1 matches 1 and "1", department=ovens matches
    "Ovens"). A field that none of the opened `rows` has is an error naming the fields
    there are: a misspelled field would otherwise leave everyone out, silently."""
    wanted: dict[str, set[str]] = {}
    for selection in selections:
        name, sep, values = selection.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise CommandError(
                _("--where takes FIELD=VALUE[,VALUE...], e.g. assessment=1,2 (not %(selection)s)")
                % {"selection": repr(selection)}
            )
        wanted.setdefault(name.strip(), set()).update(_same(v) for v in values.split(",") if v.strip())
    if not wanted:
        return None
    if rows:
        there = {str(k) for row in rows for k in row if not str(k).startswith("_") and k not in NOT_SELECTABLE}
        unknown = sorted(set(wanted) - there)
        if unknown:
            raise CommandError(
                _("--where: these records have no field %(fields)s. The fields they have: %(there)s.")
                % {"fields": ", ".join(unknown), "there": ", ".join(sorted(there))}
            )

    def keep(row: dict[str, Any]) -> bool:
        return all(_same(row.get(name)) in values for name, values in wanted.items())

    return keep


def _same(value: Any) -> str:
    """A value as --where compares it: text, trimmed, case folded."""
    return "" if value is None else " ".join(str(value).split()).casefold()


def _vcard_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\r", "").replace("\n", "\\n")


def _shown(mail: Any) -> str:
    text = mail.get_body(preferencelist=("plain",))
    return f"To: {mail['To']}\nFrom: {mail['From']}\nSubject: {mail['Subject']}\n\n{text.get_content() if text else ''}"

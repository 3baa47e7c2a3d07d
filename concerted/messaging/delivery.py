"""Delivering a petition by mail, from the organizer's machine (`concerted send
--deliver-petition ID --to ADDRESS`): the deliverable PDF that `concerted reveal` writes
(each person once, names only of those who agreed to be named), with a cover letter.

Software counts, people decide: the dry run shows the letter and what the PDF holds;
only `--send` sends, and the journal makes sure the addressee gets it once."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from concerted.core import dedup, markdown
from concerted.core.management.commands.reveal import Command as RevealCommand
from concerted.core.reveal import RevealError, deliverable_names, open_export, output_stem, pdf_writer

from . import sender
from .addressing import Recipient, plain_address

PETITION_KIND = "petitions.signature"  # the kind's name only: messaging imports no domain app


def cover_letter(options: dict[str, Any], parent: dict[str, Any], campaign: dict[str, Any], people: int) -> str:
    if options["cover"]:
        try:
            return Path(options["cover"]).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Can't read the cover letter: {exc}") from None
    return _(
        "To %(addressee)s,\n\nAttached is our petition “%(title)s”, signed by %(people)d coworkers.\n\n"
        "We ask you to read it and to answer us.\n\n%(committee)s"
    ) % {
        "addressee": parent.get("addressee") or "",
        "title": parent.get("title") or "",
        "people": people,
        "committee": campaign.get("committee") or "",
    }


def deliver(command: Any, options: dict[str, Any], private: PrivateKey) -> None:
    to = (options["to"] or "").strip()
    if not plain_address(to):
        raise CommandError("Give the addressee's email address with --to (one plain address).")
    export = RevealCommand().load(
        {
            "file": options["file"],
            "server": options["server"],
            "token": options["token"],
            "petition": options["deliver_petition"],
        }
    )
    if export.get("kind") != PETITION_KIND:
        raise CommandError("This export is not a petition.")
    try:
        revealed = open_export(export, private)
    except RevealError as exc:
        raise CommandError(str(exc)) from None
    if revealed.failures:
        for rid, reason in revealed.failures:
            command.stderr.write(f"REFUSED record {rid}: {reason}")
        raise CommandError("Some records could not be verified: nothing is delivered until they are explained.")
    found = dedup.collapse(revealed.rows)
    writer = pdf_writer(PETITION_KIND)
    if writer is None:
        raise CommandError("This installation has no petition PDF.")
    pdf = writer(dataclasses.replace(revealed, rows=found.unique))
    parent, campaign = export["parent"], export["campaign"]
    letter = cover_letter(options, parent, campaign, found.people)
    # What the PDF prints: names only once enough agreed (core/reveal.py: deliverable_names).
    named = len(deliverable_names(found.unique).names)

    mail = EmailMessage()
    settings = command.mail_settings(options, check=options["send"])
    mail["From"] = settings.from_address if "@" in settings.from_address else "committee@example.invalid"
    mail["To"] = to
    mail["Subject"] = _("Petition: %(title)s") % {"title": parent.get("title") or ""}
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=mail["From"].rsplit("@", 1)[-1])
    mail.set_content(letter)
    mail.add_alternative(f"<!DOCTYPE html><html><body>{markdown.to_html(letter)}</body></html>", subtype="html")
    filename = f"{output_stem(export)}.pdf"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)

    summary = (
        f"Attachment: {filename} ({len(pdf)} bytes): {found.people} different people, {named} named, "
        f"{found.people - named} counted without their name."
    )
    if not options["send"]:
        command.stdout.write(f"Dry run: would deliver the petition to {to}. Nothing was sent; add --send to send.")
        command.stdout.write(f"Subject: {mail['Subject']}\n\n{letter}\n\n{summary}")
        return
    recipient = Recipient(to, dedup.normalize_contact(to), "")
    key = sender.Journal.key_for(bytes(private), f"deliver:{parent.get('id')}")
    journal = sender.Journal(Path(options["journal"] or f"concerted-deliver-{parent.get('id')}.journal"), key)
    try:
        state = journal.state(recipient)
        if state == sender.SENT:
            command.stdout.write(f"Already delivered to {to} (journal {journal.path}): not sent again.")
            return
        if state == sender.SENDING and not options["resend_uncertain"]:
            raise CommandError(
                f"UNCERTAIN: an earlier run may have delivered it to {to} already. Check, then run again with "
                "--resend-uncertain if it didn't arrive."
            )
        outcome = sender.send_all(settings, journal, [(recipient, mail)], per_minute=0)
    except sender.MailSettingsError as exc:
        raise CommandError(str(exc)) from None
    except (OSError, sender.smtplib.SMTPException) as exc:
        raise CommandError(f"Can't use the mail server {settings.host}: {exc}. Nothing was sent.") from None
    finally:
        journal.close()
    if outcome.sent:
        command.stdout.write(f"Delivered the petition to {to}. {summary}")
    else:
        problems = [note for _r, note in outcome.refused + outcome.failed] + [outcome.interrupted]
        raise CommandError(f"Not delivered: {'; '.join(p for p in problems if p)}")

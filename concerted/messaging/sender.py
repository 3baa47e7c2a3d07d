"""Sending from the organizer's machine: mail settings, the journal, one SMTP session.

The journal makes a run resumable without ever sending anyone the same message twice.
For each recipient it appends `sending`, fsynced, before the message is handed to the
mail server, and `sent` once the server accepted it. After a crash, a recipient
whose last line is `sending` is *uncertain*: the server may have accepted the message
just before the crash (or the journal write after it was lost). Uncertain recipients
are reported to the organizer and not sent again unless the organizer asks. A line
holds no address, only a keyed hash of it (the key comes from the committee key and
the message id), so a journal left on a laptop doesn't list who was written to."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import smtplib
import ssl
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .addressing import Recipient
from .rendering import Rendered

TLS_MODES = ("starttls", "implicit", "insecure-localhost-only")
DEFAULT_SETTINGS_FILE = "~/.config/concerted/mail.toml"


class MailSettingsError(ValueError):
    pass


@dataclass
class MailSettings:
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    tls: str = "starttls"
    cafile: str = ""
    from_address: str = ""
    timeout: float = 60.0

    def effective_port(self) -> int:
        return self.port or (465 if self.tls == "implicit" else 587)

    def check(self) -> None:
        if not self.host:
            raise MailSettingsError(_("no mail server: set host in the mail settings file or give --smtp-host"))
        if not self.from_address or "@" not in self.from_address:
            raise MailSettingsError(_("no sender address: set from in the mail settings file or give --from"))
        if self.tls not in TLS_MODES:
            raise MailSettingsError(_("tls must be one of %(modes)s") % {"modes": ", ".join(TLS_MODES)})
        if self.tls == "insecure-localhost-only" and not is_loopback(self.host):
            raise MailSettingsError(
                _(
                    "insecure-localhost-only sends without TLS and only to a mail server on this computer "
                    "(127.0.0.1, ::1, localhost); %(host)s is not one"
                )
                % {"host": repr(self.host)}
            )


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(path: str | None, overrides: dict[str, Any]) -> MailSettings:
    """The laptop's mail settings: a TOML file (host, port, user, tls, cafile, from;
    the password from CONCERTED_SMTP_PASSWORD, or password_file), then command-line
    overrides. Never read from, or sent to, the server."""
    settings = MailSettings()
    file = Path(path or DEFAULT_SETTINGS_FILE).expanduser()
    if path or file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MailSettingsError(
                _("can't read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise MailSettingsError(_("%(file)s is not valid TOML: %(error)s") % {"file": file, "error": exc}) from None
        mail = data.get("mail", data)
        settings.host = str(mail.get("host", ""))
        settings.port = int(mail.get("port", 0))
        settings.user = str(mail.get("user", ""))
        settings.tls = str(mail.get("tls", "starttls"))
        settings.cafile = str(mail.get("cafile", ""))
        settings.from_address = str(mail.get("from", ""))
        if mail.get("password_file"):
            settings.password = Path(str(mail["password_file"])).expanduser().read_text(encoding="utf-8").strip()
    for name, value in overrides.items():
        if value not in (None, ""):
            setattr(settings, name, value)
    settings.password = os.environ.get("CONCERTED_SMTP_PASSWORD", settings.password)
    return settings


# --- the journal ----------------------------------------------------------------------------


SENDING, SENT, REFUSED, FAILED = "sending", "sent", "refused", "failed"


class Journal:
    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.key = key
        self.states: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.states[str(entry["r"])] = str(entry["s"])
                    if entry.get("n"):
                        self.notes[str(entry["r"])] = str(entry["n"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line torn by a crash: its recipient stays as the line before said
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        self._fd = os.open(path, flags, 0o600)

    @staticmethod
    def key_for(private_key_bytes: bytes, message_id: str) -> bytes:
        return hashlib.blake2b(
            private_key_bytes + message_id.encode("utf-8"), digest_size=32, person=b"concerted-journal"[:16]
        ).digest()

    def entry(self, recipient: Recipient) -> str:
        return hashlib.blake2b(recipient.normalized.encode("utf-8"), key=self.key, digest_size=16).hexdigest()

    def state(self, recipient: Recipient) -> str | None:
        return self.states.get(self.entry(recipient))

    def mark(self, recipient: Recipient, state: str, note: str = "") -> None:
        """Append a line. `sending` is fsynced before the message leaves: lost, a
        crash after the server accepted would look like "never tried" and be sent again.
        Other states ride on the next fsync (the next `sending`, or close()): lost, they
        leave the recipient `sending`, reported as uncertain, never sent twice."""
        entry = self.entry(recipient)
        line = json.dumps({"r": entry, "s": state, **({"n": note[:200]} if note else {})}) + "\n"
        os.write(self._fd, line.encode("utf-8"))
        if state == SENDING:
            os.fsync(self._fd)
        self.states[entry] = state
        if note:
            self.notes[entry] = note

    def close(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)

    def count(self, state: str) -> int:
        return sum(1 for s in self.states.values() if s == state)


# --- one message per recipient ---------------------------------------------------------------


def build(rendered: Rendered, recipient: Recipient, from_address: str, stop_link: str) -> EmailMessage:
    """A message addressed to one person alone: From is the committee, To is them, and
    no other address is in any header. The Message-ID names the sender's domain, not
    this computer."""
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = recipient.address
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    message["List-Unsubscribe"] = f"<{stop_link}>"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


@dataclass
class Outcome:
    sent: list[Recipient] = field(default_factory=list)
    refused: list[tuple[Recipient, str]] = field(default_factory=list)  # the mail server's bounce
    failed: list[tuple[Recipient, str]] = field(default_factory=list)  # temporary: tried again next run
    interrupted: str = ""  # why the run stopped early (connection lost); the in-flight one is uncertain


def connect(settings: MailSettings) -> smtplib.SMTP:
    port = settings.effective_port()
    if settings.tls == "insecure-localhost-only":
        smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout, local_hostname="localhost")
    else:
        context = ssl.create_default_context(cafile=settings.cafile or None)
        if settings.tls == "implicit":
            smtp = smtplib.SMTP_SSL(
                settings.host, port, timeout=settings.timeout, context=context, local_hostname="localhost"
            )
        else:
            smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout, local_hostname="localhost")
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise MailSettingsError(
                    _("%(host)s doesn't offer STARTTLS: refusing to send in the clear") % {"host": settings.host}
                )
            smtp.starttls(context=context)
            smtp.ehlo()
    if settings.user:
        smtp.login(settings.user, settings.password)
    return smtp


def send_all(
    settings: MailSettings,
    journal: Journal,
    todo: Iterable[tuple[Recipient, EmailMessage]],
    *,
    per_minute: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Hand each message to the mail server, `sending` and `sent` journaled around it.
    A connection lost mid-message ends the run: that message's fate is unknown."""
    outcome = Outcome()
    gap = 60.0 / per_minute if per_minute > 0 else 0.0
    smtp = connect(settings)
    last = 0.0
    try:
        for recipient, message in todo:
            if gap:
                wait = last + gap - time.monotonic()
                if wait > 0:
                    sleep(wait)
            last = time.monotonic()
            journal.mark(recipient, SENDING)
            try:
                smtp.send_message(message, settings.from_address, [recipient.address])
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()), (0, b""))
                note = f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
                _rejected(journal, outcome, recipient, int(code), note)
                smtp.rset()
            except smtplib.SMTPDataError as exc:
                note = f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}"
                _rejected(journal, outcome, recipient, exc.smtp_code, note)
                smtp.rset()
            except smtplib.SMTPSenderRefused as exc:
                journal.mark(recipient, FAILED, f"{exc.smtp_code} sender refused")
                outcome.interrupted = f"the mail server refused the sender address: {exc.smtp_code}"
                break
            except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
                outcome.interrupted = f"lost the mail server mid-message ({exc.__class__.__name__}: {exc})"
                break
            else:
                journal.mark(recipient, SENT)
                outcome.sent.append(recipient)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return outcome


def _rejected(journal: Journal, outcome: Outcome, recipient: Recipient, code: int, note: str) -> None:
    if 400 <= code < 500:  # try again later: not delivered, not a bounce
        journal.mark(recipient, FAILED, note)
        outcome.failed.append((recipient, note))
    else:
        journal.mark(recipient, REFUSED, note)
        outcome.refused.append((recipient, note))

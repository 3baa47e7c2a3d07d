"""Who gets a message, decided on the organizer's machine from the opened records.

Runs where the contacts are in the clear anyway (after `core.reveal.open_export`), so
nothing here ever reaches the server. In order:
- a record counts only if its *sealed* data says the participant agreed (`may_message`)
  and carries a stop token: the clear flag on the row is the server's word and could be
  flipped; the sealed one was written when the participant ticked the box;
- every contact of a record the participant stopped (clear `stopped` flag) is dropped,
  whichever record it appears on; so is every contact of a record that stopped in
  another audience of the campaign (`stopped_elsewhere`, sent sealed with the audience):
  a stop covers the campaign, as the stop page says. The server can't do this matching,
  since it can't read a contact; it is done here;
- repeats collapse to one person (core/dedup.py);
- every email is checked again against the employer's domains, normalized as the forms
  do (core/text.py: NFKC, IDNA, subdomains), and refused with invisible characters or
  when it isn't a single plain address;
- phone numbers go to a list for the committee's messaging app: no SMS gateway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from concerted.core import dedup
from concerted.core.records import looks_like_stop_token
from concerted.core.text import DomainError, has_invisible, is_employer_address


@dataclass(frozen=True)
class Recipient:
    address: str  # as the participant typed it
    normalized: str
    stop_token: str
    name: str = ""


@dataclass(frozen=True)
class Phone:
    name: str
    phone: str
    stop_token: str


@dataclass
class Addressed:
    recipients: list[Recipient] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    without_consent: int = 0  # opened records whose sealed data holds no consent
    stopped: int = 0  # records dropped because their participant stopped messages
    stopped_elsewhere: int = 0  # dropped because the same contact stopped in another audience of the campaign
    repeats: int = 0
    refused: list[str] = field(default_factory=list)  # addresses at an employer domain or not valid
    without_contact: int = 0
    not_selected: int = 0  # left out by the organizer's --where


def _email_of(row: dict[str, Any]) -> str:
    for name in ("contact", "email"):
        value = row.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return ""


def _phone_of(row: dict[str, Any]) -> str:
    for name in ("contact", "phone"):
        value = row.get(name)
        if isinstance(value, str) and value.strip() and "@" not in value:
            return value.strip()
    return ""


def _contacts(row: dict[str, Any]) -> set[str]:
    return {dedup.normalize_contact(v) for v in (_email_of(row), _phone_of(row)) if v}


def _name_of(row: dict[str, Any]) -> str:
    return str(row.get("name") or row.get("full_name") or "")


def plain_address(address: str) -> bool:
    """One plain mailbox and nothing else: what goes in the To header must parse back to
    exactly this address (a quoted local part with a comma must not become two)."""
    try:
        validate_email(address)
        parsed = Address(addr_spec=address)
    except (ValidationError, ValueError, HeaderParseError, IndexError):
        return False
    return parsed.addr_spec == address and "," not in address and '"' not in address


def address(
    rows: list[dict[str, Any]],
    employer_domains: list[str],
    keep: Callable[[dict[str, Any]], bool] | None = None,
    stopped_elsewhere: list[dict[str, Any]] | None = None,
    stopped_as_stored: list[dict[str, Any]] | None = None,
) -> Addressed:
    """`keep` is the organizer's selection (--where), made after the stops are read on
    every record: a contact stopped on a record the selection leaves out stays stopped.
    `stopped_elsewhere`: the opened records that stopped in the campaign's other
    audiences; each of their contacts is dropped here too (all of them count as stops:
    a server that lies about one can only make fewer messages go out, never more).
    `stopped_as_stored`: this audience's stopped records before their log was applied
    (`rows` are as they are now): a contact they had then stays stopped too."""
    result = Addressed()
    stopped_contacts: set[str] = set()
    for row in stopped_as_stored or []:
        stopped_contacts |= _contacts(row)
    elsewhere: set[str] = set()
    for row in stopped_elsewhere or []:
        elsewhere |= _contacts(row)
    consenting: list[dict[str, Any]] = []
    for row in rows:
        if row.get("stopped") is True:
            stopped_contacts |= _contacts(row)
            result.stopped += 1
        elif row.get("may_message") is not True or not looks_like_stop_token(str(row.get("stop") or "")):
            result.without_consent += 1
        else:
            consenting.append(row)
    kept = []
    for row in consenting:
        if keep is not None and not keep(row):
            result.not_selected += 1
        elif _contacts(row) & stopped_contacts:
            result.stopped += 1
        elif _contacts(row) & elsewhere:
            result.stopped_elsewhere += 1
        else:
            kept.append(row)
    found = dedup.collapse(kept)
    result.repeats = len(found.repeats)
    for row in found.unique:
        email = _email_of(row)
        if email:
            try:
                at_employer = has_invisible(email) or is_employer_address(email, employer_domains)
            except DomainError:
                at_employer = True
            if at_employer or not plain_address(email):
                result.refused.append(email)
                continue
            result.recipients.append(Recipient(email, dedup.normalize_contact(email), str(row["stop"]), _name_of(row)))
        elif _phone_of(row):
            result.phones.append(Phone(_name_of(row), _phone_of(row), str(row["stop"])))
        else:
            result.without_contact += 1
    return result

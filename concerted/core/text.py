"""Validation shared by every participant form: text that a person could have typed."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def check_readable(value: str, *, multiline: bool = False) -> str:
    """Refuse text a person didn't type: undecodable bytes (which arrive as U+FFFD),
    control characters, lone surrogates. Returns the NFC-normalized text."""
    if "\ufffd" in value:
        raise ValidationError(_("Some characters couldn't be read. Please retype this field."), code="unreadable")
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ValidationError(_("Some characters couldn't be read. Please retype this field."), code="unreadable")
        if category == "Cc" and not (multiline and ch in _ALLOWED_CONTROL):
            raise ValidationError(
                _("This field contains invisible control characters. Please retype it."), code="control"
            )
    return unicodedata.normalize("NFC", value)


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower().rstrip(".") if "@" in address else ""


def is_employer_address(address: str, employer_domains: list[str]) -> str | None:
    """The employer domain an address belongs to (itself or a subdomain), or None."""
    domain = domain_of(address)
    if not domain:
        return None
    for employer in employer_domains:
        employer = employer.strip().lower().lstrip("@").rstrip(".")
        if employer and (domain == employer or domain.endswith("." + employer)):
            return employer
    return None

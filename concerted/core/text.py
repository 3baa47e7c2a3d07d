"""Validation shared by every participant form: text that a person could have typed."""

from __future__ import annotations

import functools
import re
import unicodedata

import idna
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
        if ch in _DIRECTION_OVERRIDES:
            raise ValidationError(
                _(
                    "This field contains invisible direction controls, which can show the text in another "
                    "order than it was typed. Please retype it."
                ),
                code="direction",
            )
    return unicodedata.normalize("NFC", value)


# Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) reorder how the
# text after them is shown, in the committee's signer list, CSV and the delivered PDF:
# "\u202eanitsuJ" reads as "Justina". No name or sentence needs them, in any script
# (the plain marks U+200E/200F are left alone).
_DIRECTION_OVERRIDES = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# Characters that show nothing but change what a string is: every format character
# (category Cf: zero-width space and joiners, soft hyphen, bidi controls, BOM, word
# joiner, tags) and the invisible letters and marks that aren't Cf.
_INVISIBLE_NOT_CF = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0}


def is_invisible(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"
        or code in _INVISIBLE_NOT_CF
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
    )


def same_words_key(text: str) -> str:
    """What makes two short texts the same to a reader (two demand titles, two options
    on a ballot): compatibility forms (full-width letters, ligatures), case, runs of spaces
    and invisible characters don't count, so "Ana" and "ana\u200b " are one candidate. NFKC
    again after case folding, as Unicode's NFKC_Casefold does: folding can undo a
    normalization."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join("".join(ch for ch in folded if not is_invisible(ch)).split())


def has_invisible(value: str) -> bool:
    return any(is_invisible(ch) for ch in value)


class DomainError(ValueError):
    """A domain that is not a valid internationalized domain name."""


_PLAIN_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?"
)


def normalize_domain(domain: str) -> str:
    """The one ASCII spelling of a domain: NFKC (full-width letters and dots), then IDNA
    UTS-46 (case, ideographic dots, Unicode labels to xn-- form), no trailing dot. Two
    spellings of the same mailbox domain give the same string."""
    text = unicodedata.normalize("NFKC", domain).strip().lstrip("@")
    if _PLAIN_DOMAIN.fullmatch(text) and "--" not in text:
        # Letters, digits, inner hyphens, dots: UTS-46 only lowercases these, and the
        # IDNA library's checks take longer than the rest of the form's validation.
        return text.lower().rstrip(".")
    try:
        ascii_domain = idna.encode(text, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise DomainError(str(exc)) from None
    ascii_domain = ascii_domain.lower().rstrip(".")
    if not ascii_domain:
        raise DomainError("empty domain")
    return ascii_domain


def domain_of(address: str) -> str:
    """The normalized domain of an email address ("" if it has none); DomainError if
    it isn't a valid domain."""
    if "@" not in address:
        return ""
    return normalize_domain(address.rsplit("@", 1)[-1])


def is_employer_address(address: str, employer_domains: list[str]) -> str | None:
    """The employer domain an address belongs to (itself or a subdomain), or None;
    compared after normalization, so width, case, dots and IDNA forms don't matter.
    Raises DomainError for an address whose domain isn't valid: callers refuse it."""
    domain = domain_of(address)
    if not domain:
        return None
    for employer in employer_domains:
        if not employer.strip():
            continue
        normal = _employer_normal(employer)
        if domain == normal or domain.endswith("." + normal):
            return employer.strip().lstrip("@")
    return None


@functools.lru_cache(maxsize=512)
def _employer_normal(employer: str) -> str:
    # The campaign's own setting, the same on every signature: normalized once per
    # process. (Never the signer's domain: nothing a participant typed is kept.)
    try:
        return normalize_domain(employer)
    except DomainError:
        return employer.strip().lower().lstrip("@").rstrip(".")


# Languages whose nouns keep their capital inside a sentence ("Ihr Team", not "Ihr team").
CAPITALIZED_NOUNS = {"de"}


def in_sentence(label: object) -> str:
    """A translated label ("Team", "Petition") as a word inside a sentence: lowercased in
    English, Spanish and Portuguese, kept as it is where nouns are capitalized (German)."""
    from django.utils import translation

    text = str(label)
    language = (translation.get_language() or "en").split("-")[0]
    return text if language in CAPITALIZED_NOUNS else text.lower()

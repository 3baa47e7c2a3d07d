"""Form fields every participant form shares, so each app's form is a short list."""

from __future__ import annotations

import unicodedata
from typing import Any

import idna
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.text import (
    DomainError,
    check_readable,
    has_invisible,
    is_employer_address,
    is_invisible,
    normalize_domain,
)


class ReadableCharField(forms.CharField):
    """CharField that refuses unreadable or control characters with a clear message."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value:
            value = check_readable(value, multiline=self.multiline)
            if all(ch.isspace() or is_invisible(ch) for ch in value):
                # Only zero-width spaces and the like: nothing anyone could read.
                if self.required:
                    raise ValidationError(self.error_messages["required"], code="required")
                value = ""
        return value


class PersonalContactField(ReadableCharField):
    """An optional personal email or phone number. Refused: employer addresses, and
    addresses no message can reach or made to imitate another domain
    (check_reachable_domain). Every participant form's contact is this field."""

    def __init__(self, *args: Any, employer_domains: list[str] | None = None, **kwargs: Any) -> None:
        self.employer_domains = employer_domains or []
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Personal email or phone (optional)"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Only the committee can read it. Never a work address: your employer can read those."),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value) or ""
        value = value.strip()
        if not value:
            return ""
        if has_invisible(value):
            # Zero-width spaces, soft hyphens and bidi controls can make an employer
            # address look like another one (and slip past a plain comparison).
            raise ValidationError(
                _(
                    "This contains invisible characters (such as a zero-width space or a soft hyphen) "
                    "that can hide what an address really is. Please type it again by hand."
                ),
                code="invisible",
            )
        if "@" in value:
            not_an_address = ValidationError(
                _("That doesn't look like an email address. Check it, or leave this blank."), code="email"
            )
            try:
                # The employer check first: its message says why, not just "invalid".
                employer = is_employer_address(value, self.employer_domains)
            except DomainError:
                raise not_an_address from None
            if employer:
                raise ValidationError(
                    _(
                        "That is an address at %(domain)s, your employer, who can read that mailbox. "
                        "Use a personal email or phone number, or leave this blank."
                    )
                    % {"domain": employer},
                    code="employer",
                )
            check_reachable_domain(value.rsplit("@", 1)[1])
            try:
                validate_email(value)
            except ValidationError:
                raise not_an_address from None
            return value
        digits = [ch for ch in value if ch.isdigit()]
        if not 7 <= len(digits) <= 15 or any(not (ch.isdigit() or ch in "+-() .") for ch in value):
            raise ValidationError(
                _("Enter a personal email address or a phone number (digits, spaces, + - ( ) only)."), code="contact"
            )
        return value


# Names that only one computer or one local network resolves: no mail from the
# committee's machine can ever reach them (RFC 6761, 6762, 8375; ICANN's .internal).
# Not ".test" and ".example": tests and drills use them and nobody types them by mistake.
LOCAL_ONLY_DOMAINS = ("localhost", "local", "invalid", "internal", "home.arpa")

# Scripts that real domain names write together (Unicode TS 39, "highly restrictive"):
# Japanese, Chinese and Korean mix Han with their own script and with Latin. Any other
# mix inside one label (a Cyrillic "а" in "gmаil") is what a look-alike of another
# domain is made of.
_SCRIPTS_THAT_GO_TOGETHER = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A"); None
    for what every script shares (digits, hyphens, combining marks, modifier letters
    such as the Japanese "ー")."""
    if unicodedata.category(ch) not in ("Lu", "Ll", "Lt", "Lo"):
        return None
    word = unicodedata.name(ch, "").split(" ", 1)[0]
    return "HAN" if word in ("CJK", "IDEOGRAPHIC") else word or None


def label_mixes_scripts(label: str) -> bool:
    scripts = {s for s in map(_script, label) if s}
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _SCRIPTS_THAT_GO_TOGETHER)


def check_reachable_domain(domain: str) -> None:
    """Refuse an email domain no mail can reach (no dot, a name only one machine or
    network knows) or one made to imitate another (letters of several scripts in one
    label, typed or as xn-- punycode). Real internationalized domains ("bücher.de",
    "пример.рф", "例え.jp") pass. The message starts with "Check the address" and names
    the part at fault: the person sees what to retype."""
    try:
        ascii_domain = normalize_domain(domain)
        # Only a domain with xn-- labels has letters beyond ASCII (all Latin) to look
        # at: plain ones skip the IDNA library, which is slow next to the rest.
        shown = idna.decode(ascii_domain) if "xn--" in ascii_domain else ascii_domain
    except (DomainError, idna.IDNAError, UnicodeError):
        raise ValidationError(
            _("That doesn't look like an email address. Check it, or leave this blank."), code="email"
        ) from None
    if any(ascii_domain == local or ascii_domain.endswith("." + local) for local in LOCAL_ONLY_DOMAINS):
        raise ValidationError(
            _(
                "Check the address: “%(domain)s” is a name only one computer or local network knows, so no "
                "message can reach it. Use your personal email or phone number, or leave this blank."
            )
            % {"domain": shown},
            code="unreachable",
        )
    if "." not in ascii_domain:
        raise ValidationError(
            _(
                "Check the address: “%(domain)s” has no dot, so no message can reach it (an address ends with "
                "a name such as example.org). Use your personal email or phone number, or leave this blank."
            )
            % {"domain": shown},
            code="unreachable",
        )
    for label in shown.split("."):
        if label_mixes_scripts(label):
            raise ValidationError(
                _(
                    "Check the address: “%(label)s” mixes letters of different alphabets that look alike, as "
                    "addresses made to imitate another one do. Type it again on your own keyboard, or leave "
                    "this blank."
                )
                % {"label": label},
                code="lookalike",
            )


def refuse_consent_without_contact(form: forms.Form, contact_field: str = "contact") -> None:
    """A ticked "the committee may write to me" with no contact to write to used to be
    dropped without a word (the receipt then said nobody would write): say so on the
    form instead, next to the contact."""
    cleaned = form.cleaned_data
    if cleaned.get("may_message") and not cleaned.get(contact_field) and contact_field not in form.errors:
        form.add_error(
            contact_field, _("Give a personal email or phone for the committee to write to, or untick the box.")
        )


class MessageConsentField(forms.BooleanField):
    """ "The committee may write to me about this campaign": unticked by default, and
    only those who tick it are ever messaged (concerted.messaging). Rendered by
    `_consent.html` (through `_form.html`) with what it means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", False)
        kwargs.setdefault(
            "label", gettext_lazy("The committee may write to me about this campaign, at the contact I gave.")
        )
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Leave it unticked and you get no messages. Every message has a link to stop them, and so does "
                "your receipt page. Messages are sent by the committee from its own computer, never by this site."
            ),
        )
        super().__init__(*args, **kwargs)


class CampaignTextSelect(forms.Select):
    """A select whose options are the campaign's own words (its teams, sites, shifts),
    written in the campaign's language. On a page in another language each of them
    carries that language (a lang attribute), so a screen reader reads "Armazém" in
    Portuguese on an English page; the empty choice ("Prefer not to say") is the page's
    own words and carries none. An <option> holds text only: the attribute goes on it."""

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        # Decided as the page is rendered: the language it is rendered in.
        page = translation.get_language() or settings.LANGUAGE_CODE
        if self.language and self.language != page and value not in ("", None):
            option["attrs"]["lang"] = self.language
        return option

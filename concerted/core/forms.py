"""Form fields every participant form shares, so each app's form is a short list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.text import check_readable, is_employer_address


class ReadableCharField(forms.CharField):
    """CharField that refuses unreadable or control characters with a clear message."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value:
            value = check_readable(value, multiline=self.multiline)
        return value


class PersonalContactField(ReadableCharField):
    """An optional personal email or phone number; employer addresses are refused."""

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
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(
                    _("That doesn't look like an email address. Check it, or leave this blank."), code="email"
                ) from None
            employer = is_employer_address(value, self.employer_domains)
            if employer:
                raise ValidationError(
                    _(
                        "That is an address at %(domain)s, your employer, who can read that mailbox. "
                        "Use a personal email or phone number, or leave this blank."
                    )
                    % {"domain": employer},
                    code="employer",
                )
            return value
        digits = [ch for ch in value if ch.isdigit()]
        if not 7 <= len(digits) <= 15 or any(not (ch.isdigit() or ch in "+-() .") for ch in value):
            raise ValidationError(
                _("Enter a personal email address or a phone number (digits, spaces, + - ( ) only)."), code="contact"
            )
        return value

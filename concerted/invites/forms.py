"""Form pieces other apps use: the invite-code field participants type into, and the
organizer's "make a batch" form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from concerted.core.forms import ReadableCharField
from concerted.core.paper import form_field as paper_field

from . import codes


class InviteCodeField(ReadableCharField):
    """Accepts a code however it was typed (case, spaces, dashes) and says "typo" when
    the check character doesn't match. Whether the code exists is decided by
    codes.consume() inside the signing transaction, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", gettext_lazy("Invite code"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("From the card the committee gave you, e.g. abcd-efgh-jkm. It works once."),
        )
        kwargs.setdefault("error_messages", {"required": gettext_lazy("Enter the invite code from your card.")})
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        value = super().clean(value) or ""
        if not value and not self.required:
            return ""
        parsed = codes.parse(value)
        if parsed.result != codes.Result.VALID:
            raise ValidationError(parsed.message, code=str(parsed.result))
        return parsed.code


class BatchForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("How many codes"),
        min_value=1,
        max_value=codes.MAX_BATCH,
        initial=16,
        help_text=gettext_lazy("Eight tear-off cards per page, each with its own code."),
    )
    label = ReadableCharField(
        label=gettext_lazy("Label (for the committee)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. “Night shift, Lisbon”. Never a coworker's name."),
    )
    # The installation's paper preselected; the other for a copy shop that has only it.
    paper = paper_field()
    poster = forms.BooleanField(
        label=gettext_lazy("Start with a poster page"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "The poster's QR code has no code in it: it leads to the page where people type theirs."
        ),
    )

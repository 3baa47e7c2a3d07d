from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import markdown
from concerted.core.forms import CampaignTextSelect, MessageConsentField, PersonalContactField, ReadableCharField
from concerted.core.text import in_sentence

from .models import ASSESSMENTS, DEFAULT_CARD_TEXT, FIELD_FOR_KIND, SEGMENT_NAMES, BargainingUnit

# Letters that don't decompose into a base letter plus accent, as people type them
# on a keyboard without them.
_PLAIN_LETTERS = str.maketrans(
    {"þ": "th", "ð": "d", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"}
)


def _name_tokens(text: str) -> list[str]:
    """Casefolded letters-only words, accents dropped: “José  García-López” -> jose, garcia, lopez."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN_LETTERS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    cleaned = "".join(ch if ch.isalnum() else " " for ch in plain)
    return cleaned.split()


def signature_matches(name: str, signature: str) -> bool:
    """A typed signature matches loosely: case, accents, punctuation and spacing don't
    matter; middle names and second surnames may be left out or given as initials.
    Every word signed must be one of the name's words (or its initial); the first must
    be the first name, and a surname must be written out in full."""
    name_words, signed = _name_tokens(name), _name_tokens(signature)
    if not name_words or not signed:
        return False
    if "".join(name_words) == "".join(signed):
        return True
    if len(name_words) == 1 or len(signed) < 2:
        return False
    first, rest = name_words[0], list(name_words[1:])
    if not (signed[0] == first or (len(signed[0]) == 1 and first.startswith(signed[0]))):
        return False
    surname_in_full = False
    for word in signed[1:]:
        match = next((w for w in rest if w == word or (len(word) == 1 and w.startswith(word))), None)
        if match is None:
            return False
        rest.remove(match)
        surname_in_full = surname_in_full or match == word
    return surname_in_full


class PhoneField(PersonalContactField):
    def clean(self, value: Any) -> str:
        if value and "@" in str(value):
            raise ValidationError(_("Enter a phone number here; there is a separate field for email."), code="phone")
        return super().clean(value)


class EmailField(PersonalContactField):
    def clean(self, value: Any) -> str:
        if str(value or "").strip() and "@" not in str(value):  # a lone space is a blank field
            raise ValidationError(
                _("That doesn't look like an email address. Check it, or leave this blank."), code="email"
            )
        return super().clean(value)


class CardForm(forms.Form):
    full_name = ReadableCharField(
        label=gettext_lazy("Full legal name"),
        max_length=200,
        help_text=gettext_lazy("As it appears on your payslip: a labor board checks cards against the payroll list."),
    )
    employer = ReadableCharField(label=gettext_lazy("Employer"), max_length=200)
    job_classification = ReadableCharField(
        label=gettext_lazy("Job title or classification"),
        max_length=200,
        help_text=gettext_lazy("e.g. “Customer support agent II”."),
    )
    segment = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=CampaignTextSelect)
    phone = PhoneField(
        label=gettext_lazy("Personal phone number"),
        required=True,
        help_text=gettext_lazy(
            "A labor board may contact signers to confirm their card. Only the committee can read it."
        ),
    )
    email = EmailField(
        label=gettext_lazy("Personal email (optional)"),
        help_text=gettext_lazy("Never a work address: your employer can read those."),
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I have read the card above and I sign it. I agree that typing my name below is my electronic "
            "signature and has the same effect as signing a paper card."
        ),
        error_messages={"required": gettext_lazy("Tick this box to sign: a card can't count without it.")},
    )
    signature = ReadableCharField(
        label=gettext_lazy("Type your full name as your signature"),
        max_length=200,
        help_text=gettext_lazy("Your name as above. Capital letters, accents and middle names don't need to match."),
    )
    may_message = MessageConsentField()

    def __init__(self, *args: Any, unit: BargainingUnit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("employer", unit.employer)
        super().__init__(*args, **kwargs)
        self.unit = unit
        domains = unit.campaign.employer_domain_list()
        self.fields["phone"].employer_domains = domains  # type: ignore[attr-defined]
        self.fields["email"].employer_domains = domains  # type: ignore[attr-defined]
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["signature"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        segments = unit.campaign.segment_choices(unit.card_segment_kind)
        if segments:
            field = self.fields["segment"]
            field.label = _("Your %(kind)s (optional)") % {"kind": in_sentence(SEGMENT_NAMES[unit.card_segment_kind])}
            field.choices = [("", _("Prefer not to say")), *segments]  # type: ignore[attr-defined]
            field.widget.language = unit.campaign.language  # type: ignore[attr-defined]
            field.help_text = _("Only counted in groups of five or more.")
        else:
            del self.fields["segment"]

    def clean_full_name(self) -> str:
        name = self.cleaned_data.get("full_name") or ""
        if len(_name_tokens(name)) < 2:
            raise ValidationError(
                _(
                    "Write your first name and your surname, as on your payslip (you wrote “%(name)s”): a labor "
                    "board matches each card to a name on the payroll list."
                )
                % {"name": name},
                code="one_name",
            )
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, signature = cleaned.get("full_name"), cleaned.get("signature")
        if name and signature and not signature_matches(name, signature):
            self.add_error(
                "signature",
                _(
                    "Your signature must be your own name as you wrote it above (“%(name)s”); you typed "
                    "“%(signature)s”. Capital letters, accents and middle names don't matter, but the first "
                    "and last names must be the same. If the name above is wrong, fix it there."
                )
                % {"name": name, "signature": signature},
            )
        return cleaned


class UnitForm(forms.ModelForm):
    class Meta:
        model = BargainingUnit
        fields = ["name", "employer", "union", "size", "supermajority_percent", "card_text", "card_segment_kind"]
        widgets = {"card_text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"card_text": markdown.HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.card_text:
            self.initial.setdefault("card_text", DEFAULT_CARD_TEXT)
        if not self.instance.employer and getattr(self.instance, "campaign_id", None):
            self.initial.setdefault("employer", self.instance.campaign.employer_name)
        if not self.instance.pk and getattr(self.instance, "campaign_id", None) and self.instance.campaign.unit_size:
            self.initial.setdefault("size", self.instance.campaign.unit_size)


class RosterUpdateForm(forms.Form):
    """A correction of a person's groups or assessment. The server can't show what is
    recorded now (it is sealed), so a blank field means "leave it as it is"."""

    blank_assessment = gettext_lazy("Leave unchanged")

    assessment = forms.TypedChoiceField(label=gettext_lazy("Assessment"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, unit: BargainingUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", self.blank_assessment), *ASSESSMENTS]  # type: ignore[attr-defined]
        for kind, field_name in FIELD_FOR_KIND.items():
            self.fields[field_name] = ReadableCharField(label=SEGMENT_NAMES[kind], max_length=100, required=False)
        self.order_fields([*FIELD_FOR_KIND.values(), "assessment"])


class RosterPersonForm(RosterUpdateForm):
    blank_assessment = gettext_lazy("Not assessed yet")

    name = ReadableCharField(label=gettext_lazy("Name"), max_length=200)
    contact = PersonalContactField(label=gettext_lazy("Personal contact (optional)"))

    def __init__(self, *args: Any, unit: BargainingUnit, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, **kwargs)
        self.fields["contact"].employer_domains = unit.campaign.employer_domain_list()  # type: ignore[attr-defined]
        self.fields["may_message"] = MessageConsentField(label=AGREED_IN_PERSON, help_text=AGREED_HELP)
        self.order_fields(["name", "contact", *FIELD_FOR_KIND.values(), "assessment", "may_message"])


# The roster's people never ticked a box on a form: only an organizer who heard them
# say yes may record it, and the words say so.
AGREED_IN_PERSON = gettext_lazy(
    "They told me in person that the committee may write to them about this campaign, at this contact."
)
AGREED_HELP = gettext_lazy(
    "Tick only if they said yes themselves: the roster is the committee's list, not theirs. Every message "
    "carries a link that stops them, and a stop can't be undone from here."
)


class RosterConsentForm(forms.Form):
    """Consent recorded after the person was added. The server can't read their sealed
    record, so it can't tell whether it holds a contact: the organizer types the one
    they agreed to be written at, sealed with the consent (it replaces the recorded one)."""

    contact = PersonalContactField(
        label=gettext_lazy("The personal contact they agreed to be written at"),
        required=True,
        help_text=gettext_lazy(
            "Type it even if their record has one: the server can't read the record, so it can't check. "
            "Sealed, and used from now on."
        ),
        error_messages={
            "required": gettext_lazy(
                "Type the personal email or phone they gave you: without one nobody can write to them, "
                "so their consent isn't recorded."
            )
        },
    )
    agreed = forms.BooleanField(label=AGREED_IN_PERSON, help_text=AGREED_HELP)

    def __init__(self, *args: Any, unit: BargainingUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].employer_domains = unit.campaign.employer_domain_list()  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Date of the conversation"), widget=forms.DateInput(attrs={"type": "date"})
    )
    who = ReadableCharField(
        label=gettext_lazy("Who talked with them"), max_length=200, help_text=gettext_lazy("Organizer's name.")
    )
    note = ReadableCharField(
        label=gettext_lazy("Notes"),
        max_length=5000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Issues they care about, questions, fears. Sealed: only the committee can read it."),
    )
    next_step = ReadableCharField(label=gettext_lazy("Next step"), max_length=500, required=False)
    assessment = forms.TypedChoiceField(
        label=gettext_lazy("Assessment after this conversation"),
        choices=[("", gettext_lazy("Leave unchanged")), *ASSESSMENTS],
        coerce=int,
        empty_value=None,
        required=False,
    )


class SegmentKindChoice(forms.Form):
    by = forms.ChoiceField(choices=[(k, v) for k, v in SEGMENT_NAMES.items()], required=False)


# Seven digits in a row: a phone number, never part of a name.
_PHONE_IN_NAME = re.compile(r"\d(?:[\s().-]*\d){6}")


class RosterImportForm(forms.Form):
    """Many people at once, one per line: name; contact; department; shift; site; job classification."""

    lines = ReadableCharField(
        label=gettext_lazy("People, one per line"),
        multiline=True,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Name; personal contact; department; shift; site; job classification — separated by semicolons or "
            "tabs (paste from a spreadsheet). Only the name is needed. Everything is sealed, groups too."
        ),
    )
    COLUMNS = ["name", "contact", "department", "shift", "site", "classification"]
    MAX_PEOPLE = 5000

    def __init__(self, *args: Any, unit: BargainingUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = cleaned.get("lines") or ""
        contact_field = PersonalContactField(employer_domains=self.unit.campaign.employer_domain_list())
        people: list[dict[str, str]] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in (line.split("\t") if "\t" in line else line.split(";"))]
            if "@" in parts[0] or _PHONE_IN_NAME.search(parts[0]):
                # Most likely columns split by commas, which names may hold ("Lovelace, Ada").
                problems.append(
                    _(
                        "Line %(n)d: the name “%(name)s” holds an email address or phone number. Separate the "
                        "columns with semicolons or tabs, not commas: name; contact; department; …"
                    )
                    % {"n": number, "name": parts[0]}
                )
                continue
            if len(parts) > len(self.COLUMNS):
                problems.append(_("Line %(n)d has more than 6 columns.") % {"n": number})
                continue
            row = dict(zip(self.COLUMNS, parts + [""] * (len(self.COLUMNS) - len(parts)), strict=True))
            if not row["name"]:
                problems.append(_("Line %(n)d has no name.") % {"n": number})
                continue
            if len(row["name"]) > 200:
                problems.append(_("Line %(n)d: the name is longer than 200 characters.") % {"n": number})
                continue
            try:
                row["contact"] = contact_field.clean(row["contact"])
            except ValidationError as exc:
                problems.append(_("Line %(n)d: %(why)s") % {"n": number, "why": " ".join(exc.messages)})
                continue
            if any(len(row[column]) > 100 for column in self.COLUMNS[2:]):
                problems.append(_("Line %(n)d: a group name is longer than 100 characters.") % {"n": number})
                continue
            people.append(row)
        if len(people) > self.MAX_PEOPLE:
            problems.append(_("At most %(n)d people at a time.") % {"n": self.MAX_PEOPLE})
        if problems:
            raise ValidationError(problems)
        if not people:
            raise ValidationError(_("Paste at least one line with a name."))
        cleaned["people"] = people
        return cleaned

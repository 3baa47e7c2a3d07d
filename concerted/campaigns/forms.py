from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import keys, releases

from .models import ROLE_HELP, Campaign, OrganizerInvite, Role, Segment, role_allows


def _bare_domain(word: str) -> str:
    """What an organizer pastes as the employer's domain, as the mail domain it stands
    for: "@acme.com", "https://www.acme.com/about" and "www.acme.com" are all acme.com.
    Mail is never addressed to www., so a kept "www." matched no work address at all."""
    domain = word.strip().lower().lstrip("@")
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain).split("/", 1)[0]
    return domain.removeprefix("www.")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "committee_name",
            "employer_name",
            "employer_domains",
            "unit_size",
            "release_times",
            "jurisdiction",
            "language",
        ]
        widgets = {"employer_domains": forms.Textarea(attrs={"rows": 3})}

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or "en"

    def clean_employer_domains(self) -> str:
        # One a line, as the help says; a pasted "acme.com, acme.de" is split too.
        words = re.split(r"[\s,;]+", self.cleaned_data["employer_domains"])
        lines = [_bare_domain(d) for d in words if d.strip()]
        bad = [d for d in lines if "." not in d or any(not (ch.isalnum() or ch in ".-") for ch in d)]
        if bad:  # every one of them, so a long pasted list is fixed in one go
            raise forms.ValidationError(
                [_("“%(domain)s” is not a domain like acme.com.") % {"domain": domain} for domain in bad]
            )
        return "\n".join(dict.fromkeys(lines))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["release_times"].required = False  # empty: the default schedule
        # Name the zone the times are read in (CONCERTED_TIME_ZONE): "server time" left an
        # organizer guessing whose 08:00 it is.
        self.fields["release_times"].help_text = _(
            "Times of day (24-hour clock, %(zone)s time) when public counts may change, e.g. 08:00 12:00 16:00 "
            "20:00. At each time they change only if at least 5 people acted since the last change."
        ) % {"zone": settings.TIME_ZONE}
        self.fields["language"].required = False  # empty: English, the default
        if not self.is_bound and self.instance._state.adding:
            # An organizer writing in Portuguese means a Portuguese campaign more often
            # than not: offer the page's language (flyers missed it and came out English).
            active = translation.get_language() or "en"
            if active in dict(settings.LANGUAGES):
                self.initial["language"] = active
        # The database's own limit (2**63 - 1 on SQLite) let a typo through that then
        # failed as a 500 when a goal of 100% of it was stored.
        self.fields["unit_size"].widget.attrs.update(min=1, max=Campaign.LARGEST_UNIT)

    def clean_unit_size(self) -> int | None:
        size = self.cleaned_data.get("unit_size")
        if size is not None and not 1 <= size <= Campaign.LARGEST_UNIT:
            raise forms.ValidationError(
                _("Give the number of coworkers, between 1 and %(most)s.") % {"most": f"{Campaign.LARGEST_UNIT:,}"}
            )
        return size

    def clean_release_times(self) -> str:
        try:
            times = releases.parse_times(self.cleaned_data["release_times"] or releases.DEFAULT_TIMES)
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None
        return " ".join(t.strftime("%H:%M") for t in times)


class PublicKeyForm(forms.Form):
    public_key = forms.CharField(
        label=gettext_lazy("Committee public key"),
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy("Paste the contents of committee.pub, or upload the file below."),
    )
    public_key_file = forms.FileField(label=gettext_lazy("…or upload committee.pub"), required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        text = cleaned.get("public_key") or ""
        upload = cleaned.get("public_key_file")
        if upload:
            if upload.size > 400:
                raise forms.ValidationError(_("That file is too large to be a public key."))
            try:
                text = upload.read().decode("ascii")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("That file is not a Concerted public key.")) from None
        if not text.strip():
            raise forms.ValidationError(_("Paste the public key or upload the committee.pub file."))
        try:
            parsed = keys.parse_public(text)
        except keys.PrivateKeyRefused:
            # Don't echo the secret back into the page.
            self.data = self.data.copy()
            self.data["public_key"] = ""
            raise forms.ValidationError(
                _(
                    "That is the PRIVATE key. It was not saved. Never paste it into any website: keep it on "
                    "your own computer. Upload committee.pub instead. If you think someone saw it, make a new "
                    "keypair."
                )
            ) from None
        except keys.KeyFormatError as exc:
            raise forms.ValidationError(
                _("That is not a valid Concerted public key (%(reason)s). Copy the whole line from committee.pub.")
                % {"reason": exc}
            ) from None
        cleaned["formatted"] = keys.format_public(parsed)
        return cleaned


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["kind", "label"]


class InviteForm(forms.ModelForm):
    class Meta:
        model = OrganizerInvite
        fields = ["note", "role"]

    def __init__(self, *args: object, inviter_role: str = Role.ORGANIZER, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Nobody hands out more power than they hold.
        self.fields["role"].choices = [
            (value, f"{label} — {ROLE_HELP[value]}")
            for value, label in Role.choices
            if role_allows(inviter_role, value)
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class TwoFactorPolicyForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["require_two_factor"]


class NewOrganizerForm(UserCreationForm):
    """For someone who follows an invite without an account yet."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)


def segment_form(campaign: Campaign, data: object = None) -> SegmentForm:
    form = SegmentForm(data, instance=Segment(campaign=campaign))  # type: ignore[arg-type]
    original_clean = form.clean

    def clean() -> dict[str, object]:
        cleaned = original_clean() or {}
        if campaign.segments.filter(kind=cleaned.get("kind"), label__iexact=cleaned.get("label", "")).exists():
            raise forms.ValidationError(_("This campaign already has that group."))
        return cleaned

    form.clean = clean  # type: ignore[method-assign]
    return form

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.campaigns.models import Campaign, Segment
from concerted.core import markdown
from concerted.core.forms import (
    CampaignTextSelect,
    MessageConsentField,
    PersonalContactField,
    ReadableCharField,
    refuse_consent_without_contact,
)
from concerted.core.text import in_sentence
from concerted.invites.forms import InviteCodeField

from .models import Petition


class SignForm(forms.Form):
    invite_code = InviteCodeField()
    name = ReadableCharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        help_text=gettext_lazy("As your coworkers know you. Sealed: only the committee can read it."),
    )
    contact = PersonalContactField()
    segment = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=CampaignTextSelect)
    comment = ReadableCharField(
        label=gettext_lazy("A few words (optional)"),
        help_text=gettext_lazy("Sealed: only the committee can read it. It is not printed on the petition."),
        required=False,
        max_length=2000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_named = forms.BooleanField(
        label=gettext_lazy("You may show my name on the petition when it is delivered."),
        required=False,
        help_text=gettext_lazy("If you leave this unticked, you are counted but not named."),
    )
    may_message = MessageConsentField()

    def __init__(self, *args: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.fields["contact"].employer_domains = petition.campaign.employer_domain_list()  # type: ignore[attr-defined]
        segments = petition.campaign.segment_choices(petition.segment_kind)
        if segments:
            field = self.fields["segment"]
            kind = Segment.Kind(petition.segment_kind).label
            field.label = _("Your %(kind)s (optional)") % {"kind": in_sentence(kind)}
            field.choices = [("", _("Prefer not to say")), *segments]  # type: ignore[attr-defined]
            field.widget.language = petition.campaign.language  # type: ignore[attr-defined]
            field.help_text = _("Only counted in groups of five or more.")
        else:
            del self.fields["segment"]
        if not petition.requires_invite:
            del self.fields["invite_code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refuse_consent_without_contact(self)
        return cleaned


class PetitionForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["title", "body", "addressee", "goal_count", "goal_percent", "segment_kind", "requires_invite"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": markdown.HELP,
            "goal_count": gettext_lazy("If you set both a number and a share, the number is the goal."),
            "goal_percent": gettext_lazy(
                "Used only when no number is set, and only when the campaign has a unit size (rounded up)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Once the petition has been open, what people sign is fixed: only the goal
        # (the committee's progress target) is still offered.
        self.locked = not self.instance._state.adding and self.instance.content_locked()
        if self.locked:
            for name in Petition.SIGNED_FIELDS:
                self.fields.pop(name, None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.locked and any(name in self.data for name in Petition.SIGNED_FIELDS):
            # A form from before it opened (another tab), or a hand-made request: say
            # so rather than dropping the typed text unseen.
            raise forms.ValidationError(
                _(
                    "The petition's text can't be changed once it has been open for signatures: people signed "
                    "it as it is. Nothing was saved."
                )
            )
        return cleaned

    def clean_goal_percent(self) -> int | None:
        value = self.cleaned_data.get("goal_percent")
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError(_("A share of the unit is between 1 and 100 percent."))
        return value

    def clean_goal_count(self) -> int | None:
        value = self.cleaned_data.get("goal_count")
        if value is None:
            return value
        if value == 0:
            # Petition.goal() reads 0 as "no number": say so instead of dropping it unseen.
            raise forms.ValidationError(_("A goal of 0 is no goal. Leave the number empty for no goal."))
        size = self.instance.campaign.unit_size
        if size and value > size:
            raise forms.ValidationError(
                _(
                    "The campaign's unit has %(size)d coworkers, so a goal of %(count)d signatures can never be "
                    "reached. Give at most %(size)d, or correct the unit size in the campaign settings."
                )
                % {"size": size, "count": value}
            )
        most = Campaign.LARGEST_UNIT
        if value > most:
            raise forms.ValidationError(
                _("A goal of %(count)d signatures can never be reached. Give at most %(max)d.")
                % {"count": value, "max": most}
            )
        return value

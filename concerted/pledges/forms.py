from __future__ import annotations

import datetime
import math
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.campaigns.models import Campaign
from concerted.core import markdown
from concerted.core.days import local_today
from concerted.core.forms import (
    MessageConsentField,
    PersonalContactField,
    ReadableCharField,
    refuse_consent_without_contact,
)
from concerted.invites.forms import InviteCodeField

from .models import MIN_THRESHOLD, Pledge

# A pledge that runs longer than this is not "if enough of us, soon": people forget.
MAX_DAYS_AHEAD = 366
MAX_THRESHOLD = Campaign.LARGEST_UNIT


class PledgeForm(forms.Form):
    invite_code = InviteCodeField()
    name = ReadableCharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        help_text=gettext_lazy("As your coworkers know you. Sealed: only the committee can read it."),
    )
    contact = PersonalContactField(
        label=gettext_lazy("Personal email for the go-ahead (optional)"),
        help_text=gettext_lazy(
            "If the committee confirms, it can write to you here. Sealed like your name, and destroyed with "
            "your pledge if it lapses. Never a work address: your employer can read those."
        ),
    )
    may_message = MessageConsentField()

    def __init__(self, *args: Any, pledge: Pledge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        self.fields["contact"].employer_domains = pledge.campaign.employer_domain_list()  # type: ignore[attr-defined]
        if not pledge.requires_invite:
            del self.fields["invite_code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refuse_consent_without_contact(self)
        return cleaned


class PledgeSetupForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["title", "promise", "body", "threshold_count", "threshold_percent", "deadline", "requires_invite"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "promise": forms.Textarea(attrs={"rows": 2}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"body": markdown.HELP, "promise": markdown.HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Name the midnight the deadline ends at (CONCERTED_TIME_ZONE), as the campaign
        # form names the zone of its release times: "the end of that day" is whose day?
        self.fields["deadline"].help_text = _(
            "The last day pledges count (YYYY-MM-DD): they are taken until midnight at its end, %(zone)s time."
        ) % {"zone": settings.TIME_ZONE}

    def clean_threshold_percent(self) -> int | None:
        value = self.cleaned_data.get("threshold_percent")
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError(_("A share of the unit is between 1 and 100 percent."))
        return value

    def clean_threshold_count(self) -> int | None:
        value = self.cleaned_data.get("threshold_count")
        if value is not None and value < MIN_THRESHOLD:
            raise forms.ValidationError(
                _(
                    "A threshold must be at least %(min)d people. With fewer, anyone who learns the pledge went "
                    "ahead can guess who pledged, so there is no safety in numbers."
                )
                % {"min": MIN_THRESHOLD}
            )
        size = self.instance.campaign.unit_size
        if value is not None and size and value > size:
            raise forms.ValidationError(
                _(
                    "The campaign's unit has %(size)d coworkers, so a threshold of %(count)d people can never be "
                    "reached. Give at most %(size)d, or correct the unit size in the campaign settings."
                )
                % {"size": size, "count": value}
            )
        if value is not None and value > MAX_THRESHOLD:
            raise forms.ValidationError(
                _("A threshold of %(count)d people can never be reached. Give at most %(max)d.")
                % {"count": value, "max": MAX_THRESHOLD}
            )
        return value

    def clean_deadline(self) -> datetime.date | None:
        value = self.cleaned_data.get("deadline")
        if value is None:
            return value
        # The organizer's date: just after midnight in Berlin, the UTC day is still yesterday.
        if value < local_today():
            raise forms.ValidationError(_("The deadline is in the past. Pick today or a later day."))
        if value > local_today() + datetime.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Pick a deadline within a year: people forget longer pledges."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        count, percent = cleaned.get("threshold_count"), cleaned.get("threshold_percent")
        if "threshold_count" in self.errors or "threshold_percent" in self.errors:
            return cleaned
        if count and percent:
            raise forms.ValidationError(_("Give the threshold as a number of people or as a percentage, not both."))
        if not count and not percent:
            raise forms.ValidationError(_("Give a threshold: a number of people, or a percentage of the unit."))
        if percent and not self.instance.campaign.unit_size:
            self.add_error(
                "threshold_percent",
                _("This campaign has no unit size yet. Set it in the campaign settings, or give a number of people."),
            )
        elif percent and math.ceil(self.instance.campaign.unit_size * percent / 100) < MIN_THRESHOLD:
            self.add_error(
                "threshold_percent",
                _(
                    "%(pct)d%% of %(size)d coworkers is fewer than %(min)d people. A threshold must be at least "
                    "%(min)d people, so there is safety in numbers: raise the percentage or give a number."
                )
                % {"pct": percent, "size": self.instance.campaign.unit_size, "min": MIN_THRESHOLD},
            )
        return cleaned

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import markdown
from concerted.core.forms import ReadableCharField
from concerted.core.paper import form_field

from . import clauses
from .models import CAPTURES, COUNTED, DEVICES, RESPONSES, USES, Demand, PressureReport, SurveillanceReport, Unknown3

FREE_TEXT_HELP = gettext_lazy(
    "Optional. Sealed: only the committee can read it, and only once at least 10 coworkers have reported. "
    "Leave out names and anything that points to you."
)


def _boxes(label: str, options: list[tuple[str, Any]], help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=options,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text or gettext_lazy("Tick all that apply."),
    )


def _radio(label: str, choices: list[tuple[int, Any]], *, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, required=required, widget=forms.RadioSelect, empty_value=0
    )


def _details() -> ReadableCharField:
    return ReadableCharField(
        label=gettext_lazy("Anything else (optional)"),
        required=False,
        max_length=2000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=FREE_TEXT_HELP,
    )


class SurveillanceReportForm(forms.Form):
    tool = forms.TypedChoiceField(
        label=gettext_lazy("Which monitoring tool?"),
        choices=SurveillanceReport.Tool.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("One tool per report. Seen two? Send two reports. Another tool? Name it below."),
    )
    tool_other = ReadableCharField(label=gettext_lazy("Its name, if another tool"), required=False, max_length=100)
    captures = _boxes(gettext_lazy("What does it capture?"), CAPTURES)
    devices = _boxes(gettext_lazy("On which devices?"), DEVICES)
    disclosed = _radio(gettext_lazy("Did the company tell you about it?"), SurveillanceReport.Disclosed.choices)
    feeds_evaluations = _radio(gettext_lazy("Does it feed your evaluations?"), Unknown3.choices)
    trains_ai = _radio(gettext_lazy("Is its data used to train AI?"), SurveillanceReport.TrainsAI.choices)
    details = _details()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("tool") == SurveillanceReport.Tool.OTHER and not data.get("tool_other"):
            self.add_error("tool_other", _("Give the tool's name, or pick “I don't know its name”."))
        return data

    def row(self) -> dict[str, Any]:
        """The countable answers, ready for the model."""
        data = self.cleaned_data
        fields: dict[str, Any] = {"tool": data["tool"]}
        for name, _label in CAPTURES:
            fields[name] = name in data["captures"]
        for name, _label in DEVICES:
            fields[name] = name in data["devices"]
        for name in ("disclosed", "feeds_evaluations", "trains_ai"):
            fields[name] = data.get(name) or 0
        return fields

    def sealed_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        other = data.get("tool_other", "") if data["tool"] == SurveillanceReport.Tool.OTHER else ""
        return {"type": "surveillance", "tool_other": other, "details": data.get("details", "")}


class PressureReportForm(forms.Form):
    counted = _boxes(gettext_lazy("What is counted?"), COUNTED)
    uses = _boxes(gettext_lazy("How do managers use the numbers?"), USES)
    responses = _boxes(gettext_lazy("What do people do about it?"), RESPONSES)
    pressure = _radio(gettext_lazy("How much pressure do you feel?"), PressureReport.Pressure.choices)
    details = _details()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (
            data.get("counted") or data.get("uses") or data.get("responses") or data.get("pressure")
        ):
            raise forms.ValidationError(_("Tick at least one box, or say how much pressure you feel."))
        return data

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {"pressure": data.get("pressure") or 0}
        for group, options in (("counted", COUNTED), ("uses", USES), ("responses", RESPONSES)):
            for name, _label in options:
                fields[name] = name in data[group]
        return fields

    def sealed_data(self) -> dict[str, Any]:
        return {"type": "pressure", "details": self.cleaned_data.get("details", "")}


class ProposalForm(forms.Form):
    demand = ReadableCharField(
        label=gettext_lazy("What should the committee demand?"),
        max_length=1000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Sealed: only the committee reads it. It goes on the board in the committee's words, merged with "
            "similar proposals, so your wording can't point to you."
        ),
    )


class BallotForm(forms.Form):
    """One select per demand: rank 1 (most important) … N, or not ranked."""

    def __init__(self, *args: Any, demands: list[Demand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.demands = demands
        from concerted.invites.forms import InviteCodeField

        self.fields["code"] = InviteCodeField(
            label=gettext_lazy("Your invite code"),
            help_text=gettext_lazy("From the card the committee gave you, e.g. abcd-efgh-jkm. Each code votes once."),
        )
        ranks = [("", _("Not ranked"))] + [(str(i), str(i)) for i in range(1, len(demands) + 1)]
        for demand in demands:
            self.fields[f"rank_{demand.pk}"] = forms.TypedChoiceField(
                label=demand.title,
                choices=ranks,
                coerce=int,
                required=False,
                empty_value=None,
                help_text=markdown.to_plain(demand.text),
            )
            # The demand is the campaign's own text, in the language it was written in
            # (core/translations.py), which may not be the page's: _fields.html marks it.
            self.fields[f"rank_{demand.pk}"].lang = getattr(demand, "shown_language", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not self.ranking():
            raise forms.ValidationError(_("Rank at least one demand: 1 is the most important to you."))
        return data

    def ranking(self) -> dict[Demand, int]:
        return {
            d: self.cleaned_data[f"rank_{d.pk}"]
            for d in self.demands
            if self.cleaned_data.get(f"rank_{d.pk}") is not None
        }


class DemandForm(forms.ModelForm):
    clause_keys = forms.MultipleChoiceField(
        label=gettext_lazy("Backed by these clauses"),
        choices=clauses.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Demand
        fields = ["title", "text", "clause_keys", "from_proposals", "status", "chosen"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"text": markdown.HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_proposals"].required = False

    def clean_from_proposals(self) -> int:
        return self.cleaned_data.get("from_proposals") or 0


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Demand.objects.none(), label=gettext_lazy("Merge into"))

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = demand.kit.demands.filter(merged_into__isnull=True).exclude(pk=demand.pk)  # type: ignore[attr-defined]


class BriefForm(forms.Form):
    """The brief's download: the paper it is laid out on, the installation's preselected
    (a committee may print it at a copy shop that has only the other size)."""

    paper = form_field()

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import audiences, markdown
from concerted.core.forms import ReadableCharField

from .models import Message


def audience_key(audience: audiences.Audience, parent: Any) -> str:
    return f"{audience.name}:{parent.pk}"


class MessageForm(forms.ModelForm):
    audience_choice = forms.ChoiceField(label=gettext_lazy("Who gets it"))
    subject = ReadableCharField(label=gettext_lazy("Subject"), max_length=200)
    body = ReadableCharField(
        label=gettext_lazy("Message"),
        max_length=20000,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=markdown.HELP,
    )
    text = ReadableCharField(
        label=gettext_lazy("Plain-text version (optional)"),
        max_length=20000,
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For mail programs that show no formatting. Left empty, it is made from the message."),
    )

    class Meta:
        model = Message
        fields = ["subject", "body", "text"]

    def __init__(self, *args: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.instance.campaign = campaign
        self.options = {audience_key(a, p): (a, p) for a, p in audiences.choices(campaign)}
        self.fields["audience_choice"].choices = [
            (key, f"{a.label}: {a.title(p)}") for key, (a, p) in self.options.items()
        ]
        if self.instance.pk:
            self.fields["audience_choice"].initial = f"{self.instance.audience}:{self.instance.audience_parent}"
        self.order_fields(["audience_choice", "subject", "body", "text"])

    def clean_audience_choice(self) -> str:
        key = self.cleaned_data["audience_choice"]
        if key not in self.options:
            raise forms.ValidationError(_("Choose who gets the message."))
        return key

    def save(self, commit: bool = True) -> Message:
        audience, parent = self.options[self.cleaned_data["audience_choice"]]
        self.instance.campaign = self.campaign
        self.instance.audience = audience.name
        self.instance.audience_parent = str(parent.pk)
        return super().save(commit)

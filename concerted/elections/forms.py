from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import evcrypto as ev
from .models import Election

MAX_OPTIONS = 20
MAX_TRUSTEES = 9


class ElectionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=gettext_lazy("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("For choose-one and choose-up-to-k: candidates or options. Not used for yes/no."),
    )

    class Meta:
        model = Election
        fields = [
            "title",
            "question",
            "kind",
            "options_text",
            "max_choices",
            "pass_percent",
            "trustee_count",
            "threshold",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.options:
            self.fields["options_text"].initial = "\n".join(self.instance.options)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        options = [line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()]
        if kind in (Election.Kind.ONE, Election.Kind.UP_TO):
            if not 2 <= len(options) <= MAX_OPTIONS:
                self.add_error(
                    "options_text", _("Give between 2 and %(n)d options, one per line.") % {"n": MAX_OPTIONS}
                )
            elif len(set(options)) != len(options):
                self.add_error("options_text", _("Each option must be different."))
            if kind == Election.Kind.UP_TO and not 1 <= (data.get("max_choices") or 0) <= max(len(options), 1):
                self.add_error("max_choices", _("Between 1 and the number of options."))
        else:
            options = []
        if kind == Election.Kind.ONE:
            data["max_choices"] = 1
        pct = data.get("pass_percent")
        if pct is not None and not 1 <= pct <= 99:
            self.add_error("pass_percent", _("A percentage between 1 and 99."))
        n, t = data.get("trustee_count") or 0, data.get("threshold") or 0
        if not 1 <= n <= MAX_TRUSTEES:
            self.add_error("trustee_count", _("Between 1 and %(n)d trustees.") % {"n": MAX_TRUSTEES})
        elif not 1 <= t <= n:
            self.add_error("threshold", _("Between 1 and the number of trustees."))
        self.instance.options = options
        return data


class CredentialsForm(forms.Form):
    publics = forms.CharField(
        label=gettext_lazy("Public credentials (one per line)"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The file public-credentials.txt made by `concerted election credentials`. Never the private codes."
        ),
    )

    def clean_publics(self) -> list[str]:
        lines = [line.strip().lower() for line in self.cleaned_data["publics"].splitlines() if line.strip()]
        for line in lines:
            try:
                ev.point(line)
            except ev.Invalid:
                raise forms.ValidationError(_("“%(line)s” is not a public credential.") % {"line": line[:70]}) from None
        return lines


class RevokeForm(forms.Form):
    public = forms.CharField(label=gettext_lazy("Public credential to revoke"), max_length=64)


class VoteForm(forms.Form):
    """Without JavaScript the server encrypts (the page says what that trusts)."""

    code = forms.CharField(
        label=gettext_lazy("Your voting code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("From the card the committee gave you, e.g. ABCDE-FGHJK-LMNPQ-RSTUV."),
    )
    # Shown only when a phone with JavaScript posted before the encryption had loaded
    # (views/public.py): the voter then chooses, knowingly, to let the server encrypt.
    server_encrypt = forms.BooleanField(
        label=gettext_lazy(
            "Let this server encrypt my ballot: it then sees my choice and my voting code as they arrive."
        ),
        required=False,
        help_text=gettext_lazy(
            "Only if this page never finishes loading. Otherwise leave this empty, wait a moment and tap the "
            "button again: your phone encrypts your ballot and the server never sees your choice."
        ),
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        spec = election.question_spec()
        choices = [(str(i), o) for i, o in enumerate(spec["options"])]
        if spec["max"] == 1:
            self.fields["choice"] = forms.ChoiceField(label=spec["text"], choices=choices, widget=forms.RadioSelect)
        else:
            self.fields["choice"] = forms.MultipleChoiceField(
                label=spec["text"],
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Choose up to %(k)d.") % {"k": spec["max"]},
            )
        # The question (and a choose-one or up-to-k list) is the campaign's own text in
        # its language; yes and no are this page's words (_field.html marks each).
        self.fields["choice"].lang = election.text_lang  # type: ignore[attr-defined]
        self.fields["choice"].choices_lang = (  # type: ignore[attr-defined]
            "" if election.kind == Election.Kind.YES_NO else election.text_lang
        )
        self.order_fields(["code", "choice", "server_encrypt"])

    def clean_code(self) -> str:
        try:
            return ev.normalize_code(self.cleaned_data["code"])
        except ev.Invalid:
            raise forms.ValidationError(_("That is not a voting code: 20 letters and digits in four groups.")) from None

    def clean_choice(self) -> list[int]:
        spec = self.election.question_spec()
        raw = self.cleaned_data["choice"]
        picked = {int(raw)} if isinstance(raw, str) else {int(x) for x in raw}
        if not spec["min"] <= len(picked) <= spec["max"]:
            raise forms.ValidationError(_("Choose up to %(k)d.") % {"k": spec["max"]})
        return [1 if i in picked else 0 for i in range(len(spec["options"]))]

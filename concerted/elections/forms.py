from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.forms import ReadableCharField
from concerted.core.text import check_readable, same_words_key

from . import evcrypto as ev
from .ballotbox import identity_refusal
from .models import Election

MAX_OPTIONS = 20
MAX_TRUSTEES = 9
MIN_TRUSTEES = 2  # "no single person ever holds the whole key" (docs/VOTING.md)

# The first line `concerted election credentials` writes in public-credentials.txt.
PUBLIC_FILE_HEADER = "# Concerted public credentials for election {election}: paste this whole file on its page."
_HEADER_ELECTION = re.compile(r"^#.*\belection\s+([0-9a-fA-F-]{32,36})\b")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def public_file_header(election_id: str) -> str:
    return PUBLIC_FILE_HEADER.format(election=election_id)


def looks_like_private_code(line: str) -> bool:
    """A voting code as printed (ABCDE-FGHJK-...), or a row or the header of private-codes.csv."""
    text = line.strip().strip('"')
    if text.lower().replace('"', "").replace(" ", "") in ("card,votingcode", "card;votingcode"):
        return True
    for part in re.split(r"[,;\t]", text):
        part = part.strip().strip('"')
        if len(part) >= 20 and not _HEX64.match(part.lower()):
            try:
                ev.normalize_code(part)
            except ev.Invalid:
                continue
            return True
    return False


def decimal_example() -> str:
    """66.5 as the page's language writes it (66,5 in Spanish), for help texts."""
    return formats.number_format(Decimal("66.5"))


class ElectionForm(forms.ModelForm):
    # Bidi controls and other unreadable characters are refused (core's readable text):
    # "\u202e" can show an option to a voter in another order than the committee wrote.
    options_text = ReadableCharField(
        multiline=True,
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
            "language",
            "max_choices",
            "pass_rule",
            "pass_percent",
            "trustee_count",
            "threshold",
        ]
        widgets = {"pass_rule": forms.RadioSelect}
        # Read in the page's language: "66,5" on a Spanish page, as its help shows it.
        localized_fields = ["pass_percent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.options:
            self.fields["options_text"].initial = "\n".join(self.instance.options)
        # Asked only where they apply (checked in clean): a choose-one election has no
        # pass rule and no number of choices to give.
        for name in ("max_choices", "pass_rule", "pass_percent"):
            self.fields[name].required = False
        self.fields["max_choices"].help_text = gettext_lazy("Only for choose up to k.")
        self.fields["pass_rule"].help_text = gettext_lazy(
            "Only for yes or no: the union's rule, e.g. more than half for ratification, "
            "at least two thirds for a strike."
        )
        self.fields["pass_percent"].help_text = _(
            "Only with “more than” or “at least” a percentage: up to two decimals, e.g. 60 or %(decimal)s."
        ) % {"decimal": decimal_example()}
        self.fields["pass_percent"].error_messages["invalid"] = _(
            "Give the percentage as a number, e.g. 60 or %(decimal)s."
        ) % {"decimal": decimal_example()}
        self.fields["pass_percent"].widget.attrs["inputmode"] = "decimal"
        # Every language the app speaks, with no empty choice; a new election starts in
        # the campaign's language, which an empty answer also means.
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["language"].required = False
        if not self.is_bound and self.instance._state.adding and not self.instance.language:
            self.initial["language"] = self.instance.campaign.language
        self.fields["trustee_count"].help_text = _("At least %(min)d, at most %(max)d.") % {
            "min": MIN_TRUSTEES,
            "max": MAX_TRUSTEES,
        }
        self.fields["threshold"].help_text = gettext_lazy(
            "At least 2: any this many trustees together can count, and no one alone can decrypt."
        )

    def clean_title(self) -> str:
        return check_readable(self.cleaned_data["title"])

    def clean_question(self) -> str:
        return check_readable(self.cleaned_data["question"])

    def clean_language(self) -> str:
        chosen = self.cleaned_data.get("language") or ""
        return chosen if chosen in dict(settings.LANGUAGES) else self.instance.campaign.language

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        options = [line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()]
        if kind in (Election.Kind.ONE, Election.Kind.UP_TO):
            if not 2 <= len(options) <= MAX_OPTIONS:
                self.add_error(
                    "options_text", _("Give between 2 and %(n)d options, one per line.") % {"n": MAX_OPTIONS}
                )
            else:
                self._refuse_twins(options)
            if kind == Election.Kind.UP_TO and not 1 <= (data.get("max_choices") or 0) <= max(len(options), 1):
                self.add_error("max_choices", _("Between 1 and the number of options."))
        else:
            options = []
        if kind != Election.Kind.UP_TO:
            data["max_choices"] = 1
        self._clean_pass_rule(data, kind)
        n, t = data.get("trustee_count") or 0, data.get("threshold") or 0
        if not MIN_TRUSTEES <= n <= MAX_TRUSTEES:
            self.add_error(
                "trustee_count",
                _("Between %(min)d and %(max)d trustees: with one, that person alone could decrypt every ballot.")
                % {"min": MIN_TRUSTEES, "max": MAX_TRUSTEES},
            )
        elif not MIN_TRUSTEES <= t <= n:
            self.add_error(
                "threshold",
                _("Between %(min)d and the number of trustees: with 1, any one trustee could decrypt every ballot.")
                % {"min": MIN_TRUSTEES},
            )
        self.instance.options = options
        return data

    def _refuse_twins(self, options: list[str]) -> None:
        seen: dict[str, str] = {}
        for option in options:
            key = same_words_key(option)
            if key not in seen:
                seen[key] = option
            else:
                twin = seen[key]
                self.add_error(
                    "options_text",
                    _(
                        "“%(first)s” and “%(second)s” are the same option to a voter (only capitals, spaces or "
                        "the way a letter is encoded differ): give each option once."
                    )
                    % {"first": twin, "second": option},
                )
                return

    def _clean_pass_rule(self, data: dict[str, Any], kind: str | None) -> None:
        rule = data.get("pass_rule") or ""
        pct = data.get("pass_percent")
        if kind != Election.Kind.YES_NO:
            # Not used; stored as the plain default so nothing reads a stray value.
            data["pass_rule"], data["pass_percent"] = Election.PassRule.MAJORITY, Decimal(50)
            return
        if not rule:
            self.add_error("pass_rule", _("Choose the rule the union's constitution sets for this vote."))
            return
        if rule == Election.PassRule.MAJORITY:
            data["pass_percent"] = Decimal(50)
        elif rule == Election.PassRule.TWO_THIRDS:
            data["pass_percent"] = Decimal("66.67")  # shown only; the count uses exactly 2/3
        elif pct is None:
            if "pass_percent" not in self.errors:
                self.add_error(
                    "pass_percent",
                    _("Give the percentage, e.g. 60 or %(decimal)s.") % {"decimal": decimal_example()},
                )
        elif not Decimal(1) <= pct <= Decimal(99):
            self.add_error("pass_percent", _("A percentage between 1 and 99, with up to two decimals."))


class CredentialsForm(forms.Form):
    publics = forms.CharField(
        label=gettext_lazy("Public credentials (one per line)"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "The file public-credentials.txt made by `concerted election credentials`. Never the private codes."
        ),
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election

    def _refuse_private_codes(self) -> None:
        """Private codes on the server let whoever reads it vote in members' places: say so
        loudly, and never send them back in the page."""
        data = self.data.copy()
        data["publics"] = ""
        self.data = data
        self.add_error(
            None,
            _(
                "These are PRIVATE voting codes (private-codes.csv), not public credentials. Nothing was saved, "
                "and they are not shown again here. They should never reach the server: the committee should "
                "treat those cards as exposed, make new credentials with `concerted election credentials` and "
                "paste only public-credentials.txt."
            ),
        )

    def clean_publics(self) -> list[str]:
        election_id = str(self.election.pk)
        publics: list[str] = []
        raw_lines = [line.strip() for line in self.cleaned_data["publics"].splitlines() if line.strip()]
        if any(looks_like_private_code(line) for line in raw_lines):
            self._refuse_private_codes()
            return []
        for line in raw_lines:
            if line.startswith("#"):
                named = _HEADER_ELECTION.match(line)
                if named and named.group(1).lower().replace("-", "") != election_id.replace("-", ""):
                    raise forms.ValidationError(
                        _(
                            "This file was made for another election (%(other)s), not this one (%(this)s): its "
                            "cards would all be refused when members vote. Run `concerted election credentials "
                            "--election %(this)s` and paste the new public-credentials.txt."
                        )
                        % {"other": named.group(1), "this": election_id}
                    )
                continue
            public = "".join(line.split()).lower()
            try:
                ev.public_point(public)
            except ev.Invalid:
                if public == ev.hx(ev.IDENTITY):  # a valid point, but key 0: anyone could vote with it
                    raise forms.ValidationError(identity_refusal(line)) from None
                raise forms.ValidationError(_("“%(line)s” is not a public credential.") % {"line": line[:70]}) from None
            if public not in publics:
                publics.append(public)
        if not publics:
            raise forms.ValidationError(_("No public credentials in what was pasted."))
        return publics


class RevokeForm(forms.Form):
    """A lost card is revoked by its voting code (a revoked card's secret no longer
    matters) or by its public credential."""

    public = forms.CharField(
        label=gettext_lazy("Voting code or public credential to revoke"),
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The code as printed on the lost card (e.g. ABCDE-FGHJK-LMNPQ-RSTUV), or its public credential "
            "(64 hexadecimal characters, from `concerted election credential CODE`)."
        ),
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election

    def clean_public(self) -> str:
        text = "".join(self.cleaned_data["public"].split())
        if _HEX64.match(text.lower()):
            return text.lower()
        try:
            return ev.credential_public(str(self.election.pk), text)
        except ev.Invalid:
            raise forms.ValidationError(
                _(
                    "Neither a voting code (20 letters and digits, as printed on the card) nor a public "
                    "credential (64 hexadecimal characters)."
                )
            ) from None


def parse_election_id(text: str) -> str:
    """An election id as its organizer page shows it; raises ValueError otherwise."""
    return str(uuid.UUID(text.strip()))


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

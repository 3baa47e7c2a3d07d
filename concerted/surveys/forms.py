from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.forms import (
    MessageConsentField,
    PersonalContactField,
    ReadableCharField,
    refuse_consent_without_contact,
)
from concerted.core.kanon import MIN_COUNT, MIN_FREE_TEXT
from concerted.core.text import in_sentence
from concerted.invites.forms import InviteCodeField

from .models import MAX_OPTIONS, Question, Survey

NUMBER_LIMIT = 2**31 - 2


class AnswerForm(forms.Form):
    """One field per question (one per option for a ranking). Every answer is optional
    unless the organizer marked the question required: a wary respondent may skip."""

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.groups: list[tuple[Question, list[str]]] = []
        if survey.one_per_invite:
            self.fields["invite_code"] = InviteCodeField(
                help_text=gettext_lazy(
                    "From the card the committee gave you. It lets you answer once; it is not stored with your answers."
                )
            )
        for q in survey.ordered_questions():
            name = f"q{q.pk}"
            options = q.option_list()
            help_text = q.help
            if q.kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
                choices = [(str(i), o.label) for i, o in enumerate(options)]
                if q.segment and not q.required:
                    choices.append(("", _("Prefer not to say")))
                    help_text = help_text or _("Optional. Only counted in groups of five or more.")
                self.fields[name] = forms.ChoiceField(
                    label=q.text, choices=choices, required=q.required, widget=forms.RadioSelect, help_text=help_text
                )
                self.groups.append((q, [name]))
            elif q.kind == Question.Kind.MULTI:
                self.fields[name] = forms.MultipleChoiceField(
                    label=q.text,
                    choices=[(str(i), o.label) for i, o in enumerate(options)],
                    required=q.required,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=help_text or _("Tick all that apply."),
                )
                self.groups.append((q, [name]))
            elif q.kind == Question.Kind.RANK:
                names = []
                positions = [("", _("Not ranked"))] + [(str(r), str(r)) for r in range(1, len(options) + 1)]
                for i, o in enumerate(options):
                    field_name = f"{name}_{i}"
                    self.fields[field_name] = forms.ChoiceField(
                        label=o.label,
                        choices=positions,
                        required=False,
                        # Only a tampered page sends another value; still, say what is wrong.
                        error_messages={
                            "invalid_choice": _("“%(item)s”: give it a position from 1 to %(n)s, or leave it unranked.")
                            % {"item": o.label, "n": len(options)}
                        },
                    )
                    names.append(field_name)
                self.groups.append((q, names))
            elif q.kind == Question.Kind.NUMBER:
                low = q.number_min if q.number_min is not None else -NUMBER_LIMIT
                high = q.number_max if q.number_max is not None else NUMBER_LIMIT
                self.fields[name] = forms.IntegerField(
                    label=q.text, required=q.required, min_value=low, max_value=high, help_text=help_text
                )
                self.fields[name].widget.attrs["inputmode"] = "numeric"
                self.groups.append((q, [name]))
            else:
                self.fields[name] = ReadableCharField(
                    label=q.text,
                    required=q.required,
                    max_length=2000,
                    multiline=True,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=help_text
                    or _("Sealed: only the committee can read it, and never next to your other answers."),
                )
                self.groups.append((q, [name]))
        if survey.asks_for_contact:
            self.fields["may_message"] = MessageConsentField(
                label=gettext_lazy("The committee may write to me about this campaign, at the contact below."),
                help_text=gettext_lazy(
                    "Optional. Your contact is sealed and kept apart from your answers: nothing joins the two, "
                    "so the committee learns who wants to hear from it, never what you answered. Every message "
                    "has a link to stop them."
                ),
            )
            self.fields["contact"] = PersonalContactField(employer_domains=survey.campaign.employer_domain_list())

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("may_message", "contact") if name in self.fields]

    def group_id(self, q: Question) -> str:
        """The id a question's help and error elements are named after (as Django names
        a field's: "<id>_helptext", "<id>_error")."""
        name = self.add_prefix(f"q{q.pk}")
        auto = str(self.auto_id) if self.auto_id else ""
        return auto % name if "%s" in auto else name

    def rendered_groups(self) -> list[tuple[Question, list[forms.BoundField], list[str], str]]:
        out = []
        for q, names in self.groups:
            errors = self._rank_errors(q, names) if q.kind == Question.Kind.RANK else []
            base = self.group_id(q)
            if q.kind == Question.Kind.RANK:
                # A ranking's problem is the question's, not one select's: Django marks
                # only a field with errors of its own, so each select is pointed at the
                # question's help and error here, for a screen reader to read out.
                described = f"{base}_helptext" + (f" {base}_error" if errors else "")
                for n in names:
                    attrs = self.fields[n].widget.attrs
                    attrs["aria-describedby"] = described
                    if errors:  # every select: the problem is the ranking's as a whole
                        attrs["aria-invalid"] = "true"
                    else:
                        attrs.pop("aria-invalid", None)
            out.append((q, [self[n] for n in names], errors, base))
        return out

    def _rank_errors(self, q: Question, names: list[str]) -> list[str]:
        """A ranking's problems, shown under the ranking: the question's own, then each
        select's (a position that is not one of its choices)."""
        keys = [f"q{q.pk}", *names]
        return [str(message) for key in keys for message in self.errors.get(key, [])]

    def marked_below(self) -> bool:
        """Whether some problem is marked at its question or field (not only form-wide,
        like an empty survey), so the summary says to look below."""
        return any(key != NON_FIELD_ERRORS for key in self.errors)

    def problems(self) -> list[tuple[str, str, str, bool]]:
        """Every problem, in page order, for the summary at the top: (what it is about,
        the message, the id of the control to fix, whether the first part is the
        campaign's own text). The page's own fields (the invite code, the contact) are
        named by their labels; a question by its text."""
        out: list[tuple[str, str, str, bool]] = []

        def add(key: str, label: str, control: str, campaign_text: bool) -> None:
            out.extend((label, str(message), control, campaign_text) for message in self.errors.get(key, []))

        def control_of(name: str) -> str:
            bound = self[name]
            # A group of radios or tick boxes has no control with the field's own id:
            # point at its first option.
            grouped = isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            return f"{bound.auto_id}_0" if grouped else bound.auto_id

        out.extend(("", str(message), "", False) for message in self.non_field_errors())
        if "invite_code" in self.fields:
            add("invite_code", str(self.fields["invite_code"].label), control_of("invite_code"), False)
        for q, names in self.groups:
            if q.kind == Question.Kind.RANK:
                add(f"q{q.pk}", q.text, control_of(names[0]), True)
                for name in names:
                    add(name, q.text, control_of(name), True)
            else:
                add(names[0], q.text, control_of(names[0]), True)
        for name in ("may_message", "contact"):
            if name in self.fields:
                add(name, str(self.fields[name].label), control_of(name), False)
        # Any other problem (none is expected) is still named, never only "fix the answers
        # marked below" with nothing marked.
        covered = {NON_FIELD_ERRORS, "invite_code", "may_message", "contact"}
        for q, names in self.groups:
            covered |= {f"q{q.pk}", *names}
        for key in self.errors:
            if key not in covered:
                field = self.fields.get(key)
                add(key, str(field.label) if field else "", control_of(key) if field else "", False)
        return out

    def _answered(self, cleaned: dict[str, Any]) -> bool:
        """Whether any question got a real answer: what pack() and submit() would keep.
        The invite code, the consent box and the contact are not answers, and neither
        is "Prefer not to say" or a ranking left blank: each is stored as missing. A
        question whose input was refused counts, so its own message stays the one shown."""
        for q, names in self.groups:
            if f"q{q.pk}" in self.errors or any(n in self.errors for n in names):
                return True
            if q.kind == Question.Kind.RANK:
                if any(cleaned.get(n) for n in names):
                    return True
            elif q.kind == Question.Kind.TEXT:
                if str(cleaned.get(names[0]) or "").strip():
                    return True
            elif cleaned.get(names[0]) not in (None, "", []):
                return True
        return False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for q, names in self.groups:
            if q.kind != Question.Kind.RANK:
                continue
            ranks = [int(cleaned.get(n) or 0) for n in names]
            given = sorted(r for r in ranks if r)
            # The question's own problem, under its selects and in the summary at the
            # top with its text (problems()); not a form-wide error, which would take
            # the place of the other questions' problems in the summary.
            if len(given) != len(set(given)):
                problem = _("Give each position to one item only.")
            elif given and given != list(range(1, len(given) + 1)):
                problem = _("Number the items you rank 1, 2, 3… without gaps.")
            elif q.required and not given:
                problem = _("Rank at least one item.")
            else:
                continue
            self._errors.setdefault(f"q{q.pk}", self.error_class()).append(problem)
        refuse_consent_without_contact(self)
        # A contact is kept only to write to its owner: never without the box ticked.
        if cleaned.get("contact") and not cleaned.get("may_message"):
            self.add_error(
                "may_message",
                _("Tick the box for the committee to write to you, or clear the contact: it is kept for nothing else."),
            )
        # An accidental tap on Send must not count as a respondent (it would move the
        # response rate and a release's count with nothing in it).
        if not self._answered(cleaned):
            self.add_error(
                None,
                _("Answer at least one question before you send: a survey with no answers is not counted."),
            )
        return cleaned

    def written(self) -> list[tuple[str, str, bool]]:
        """What a refused POST (the survey closed while they wrote) answered, as text to
        copy: (question, answer, whether it is long). From the raw data, never checked
        nor stored. The invite code, the consent box and the contact are left out, as
        core/refused.py leaves out codes: only the answers are the respondent's words
        that take long to type again."""
        out: list[tuple[str, str, bool]] = []
        for q, names in self.groups:
            labels = [o.label for o in q.option_list()]

            def label(value: object, labels: list[str] = labels) -> str:
                text = str(value or "")
                return labels[int(text)] if text.isdigit() and int(text) < len(labels) else ""

            if q.kind == Question.Kind.RANK:
                ranked = []
                for i, n in enumerate(names):
                    rank = str(self[n].value() or "")
                    if rank.isdigit() and i < len(labels):
                        ranked.append((int(rank), labels[i]))
                answer = "\n".join(f"{rank}. {text}" for rank, text in sorted(ranked))
            elif q.kind == Question.Kind.MULTI:
                values = self[names[0]].value() or []
                answer = "\n".join(t for t in (label(v) for v in values) if t)
            elif q.kind in (Question.Kind.NUMBER, Question.Kind.TEXT):
                answer = str(self[names[0]].value() or "").strip()
            else:
                answer = label(self[names[0]].value())
            if answer:
                out.append((q.text, answer, len(answer) > 80 or "\n" in answer))
        return out

    def contact(self) -> str:
        """The contact to seal apart from the answers, or "" (none left, or no consent)."""
        data = self.cleaned_data
        return str(data.get("contact") or "") if data.get("may_message") else ""

    def answers(self) -> tuple[dict[int, Any], dict[int, str]]:
        closed: dict[int, Any] = {}
        texts: dict[int, str] = {}
        data = self.cleaned_data
        for q, names in self.groups:
            if q.kind == Question.Kind.RANK:
                closed[q.pk] = [int(data.get(n) or 0) for n in names]
            elif q.kind == Question.Kind.MULTI:
                closed[q.pk] = [int(v) for v in data.get(names[0]) or []]
            elif q.kind == Question.Kind.TEXT:
                texts[q.pk] = (data.get(names[0]) or "").strip()
            elif q.kind == Question.Kind.NUMBER:
                closed[q.pk] = data.get(names[0])
            else:
                value = data.get(names[0])
                closed[q.pk] = int(value) if value not in (None, "") else None
        return closed, texts


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "intro",
            "design",
            "opens_on",
            "closes_on",
            "min_group",
            "min_free_text",
            "one_per_invite",
            "asks_for_contact",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.locked:
            for name in ("design", "min_group", "min_free_text", "one_per_invite"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Locked: the survey is published.")

    def clean_min_group(self) -> int:
        value = self.cleaned_data["min_group"]
        if value < MIN_COUNT:
            raise forms.ValidationError(_("At least %(k)s: smaller groups can be singled out.") % {"k": MIN_COUNT})
        return value

    def clean_min_free_text(self) -> int:
        value = self.cleaned_data["min_free_text"]
        if value < MIN_FREE_TEXT:
            raise forms.ValidationError(_("At least %(k)s.") % {"k": MIN_FREE_TEXT})
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The survey can't close before it opens."))
        return cleaned


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=gettext_lazy("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For single choice, multiple choice and ranking. The agreement scale has its five options built in. "
            "For a team, site, shift or role question left empty, the campaign's groups are used."
        ),
    )

    class Meta:
        model = Question
        fields = ["kind", "text", "help", "segment", "required", "number_min", "number_max"]

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The survey the question is (or goes) in: its other questions decide which
        # segment kinds are still free.
        self.survey = survey or (self.instance.survey if self.instance.survey_id else None)
        if self.instance.pk and not self.is_bound:
            self.fields["options_text"].initial = "\n".join(o.label for o in self.instance.option_list())

    def option_labels(self) -> list[str]:
        """One option per line, in Unicode's composed form (NFC): "Café" typed with a
        combining accent is the same option as "Café" typed with "é", and is stored so."""
        raw = unicodedata.normalize("NFC", self.cleaned_data.get("options_text") or "")
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        labels = self.option_labels()
        if len(set(labels)) != len(labels):
            self.add_error("options_text", _("Each option must be different."))
        if len(labels) > MAX_OPTIONS:
            self.add_error("options_text", _("At most %(n)s options.") % {"n": MAX_OPTIONS})
        if any(len(label) > 200 for label in labels):
            self.add_error("options_text", _("Keep each option under 200 characters."))
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTI, Question.Kind.RANK):
            if len(labels) == 1 or (not labels and not cleaned.get("segment")):
                self.add_error("options_text", _("Give at least two options, one per line."))
        segment = cleaned.get("segment")
        if segment and kind != Question.Kind.SINGLE:
            self.add_error("segment", _("A segment question is a single-choice question."))
        elif segment and (twin := self.segment_twin(segment)) is not None:
            # Results would break down by two copies of the same group, and each extra
            # segment question makes a response easier to single out.
            self.add_error(
                "segment",
                _(
                    "This survey already asks for the %(kind)s in “%(question)s”: results would be broken down "
                    "by the same groups twice. Edit that question instead, or pick another kind of segment "
                    "(or none)."
                )
                % {"kind": in_sentence(Question.SegmentKind(segment).label), "question": twin.text},
            )
        low, high = cleaned.get("number_min"), cleaned.get("number_max")
        if low is not None and high is not None and high < low:
            self.add_error("number_max", _("The largest number can't be smaller than the smallest."))
        for value, name in ((low, "number_min"), (high, "number_max")):
            if value is not None and abs(value) > NUMBER_LIMIT:
                self.add_error(name, _("Too large."))
        return cleaned

    def segment_twin(self, segment: str) -> Question | None:
        """Another question of the survey marked as the same kind of segment, if any."""
        if self.survey is None:
            return None
        return self.survey.questions.filter(segment=segment).exclude(pk=self.instance.pk).order_by("position").first()

"""Member surveys: questions, anonymous responses, sealed free text.

What a response row holds, and why (see docs/SURVEYS.md):
- `values`: the answers to closed questions, packed as little-endian int32, one slot
  per question (per option for a ranking). They stay in the clear because results
  are counted from them without any key.
- `day`: the day it was given. Never a time.
- nothing else: no IP, no user agent, no receipt, no link to free text.

Free text lives in its own table, sealed to the campaign key, with no link to the
response it came with, so neither a seized database nor an organizer holding the key
can join a comment to the segment answers (team, shift, tenure...) of its author.

Row ids are random integers. On SQLite an `integer` primary key *is* the rowid, so
rows sit in the table in random order instead of the order they were submitted."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import numpy as np
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core import translations
from concerted.core.days import local_today, today
from concerted.core.kanon import MIN_COUNT, MIN_FREE_TEXT
from concerted.core.records import ParticipantRecord
from concerted.core.shortcodes import short_slug
from concerted.core.translations import Translatable

FREE_TEXT_KIND = "surveys.freetext"
CONTACT_KIND = "surveys.contact"
RESPONSE_KIND = "surveys.response"  # no envelope: names the kind in the record registry
MISSING = -(2**31)  # a slot nobody filled: "no answer"
MAX_OPTIONS = 15  # a multiple-choice answer is a bitmask in one int32 slot


def random_id() -> int:
    # 31 bits: fits PostgreSQL `integer`; a rare collision is retried on insert.
    return secrets.randbelow(2**31 - 1) + 1


class Survey(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Design(models.TextChoices):
        CENSUS = "census", _("Census of the unit (everyone is asked)")
        OPT_IN = "opt_in", _("Opt-in (whoever chooses to answer)")
        PROBABILITY = "probability", _("Probability sample (people picked at random are asked)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), max_length=5000, blank=True)
    design = models.CharField(
        _("how people are asked"),
        max_length=12,
        choices=Design.choices,
        default=Design.OPT_IN,
        help_text=_("Decides which statistics are honest: margins of error are shown only for a probability sample."),
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    min_group = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=MIN_COUNT,
        help_text=_("No number is shown for fewer people than this (at least 5). Locked once published."),
    )
    min_free_text = models.PositiveSmallIntegerField(
        _("respondents before free text can be read"),
        default=MIN_FREE_TEXT,
        help_text=_("At least 10. Locked once published."),
    )
    asks_for_contact = models.BooleanField(
        _("offer to leave a contact for messages from the committee"),
        default=False,
        help_text=_(
            "Respondents may tick “the committee may write to me” and leave a personal contact. It is sealed "
            "and stored apart from their answers, with no day and nothing that joins the two. Unticked, the "
            "survey takes no contact at all."
        ),
    )
    one_per_invite = models.BooleanField(
        _("require invite codes (one response per code)"),
        default=True,
        help_text=_(
            "Recommended. Each response needs a single-use code from a card the committee hands out: the only "
            "way to be sure nobody answers twice. Without codes anyone can answer again and again, and the "
            "results say so. Make the codes under “Flyer and invite codes”. Locked once published."
        ),
    )
    template = models.CharField(max_length=40, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    makeup = models.JSONField(default=dict, blank=True, editable=False)  # see weighting.Makeup
    created = models.DateField(auto_now_add=True)

    INVITE_KIND = "survey"  # target_kind for concerted.invites

    class Meta:
        ordering = ["-created", "title"]

    TRANSLATED = ("title", "intro")

    def __str__(self) -> str:
        return self.title

    def organizer_url(self) -> str:
        return reverse("surveys:builder", args=[self.pk])

    def translation_parts(self) -> list[Translatable]:
        """The survey is translated on one form: its title and introduction, then each
        question with its options."""
        parts: list[Translatable] = [self]
        for question in self.ordered_questions():
            parts.append(question)
            parts.extend(question.option_list())
        return parts

    @property
    def locked(self) -> bool:
        return self.status != self.Status.DRAFT

    def content_locked(self) -> bool:
        """Questions are fixed once published (question_edit), and so is the text in
        every language: the survey is translated on one form with its questions."""
        return self.locked

    def accepting(self, day: Any = None) -> bool:
        """Published, and between its opening and closing days: dates the organizer typed,
        so they begin and end at midnight in CONCERTED_TIME_ZONE, not UTC."""
        day = day or local_today()
        if self.status != self.Status.PUBLISHED:
            return False
        if self.opens_on and day < self.opens_on:
            return False
        return not (self.closes_on and day > self.closes_on)

    def opens_later(self, day: Any = None) -> bool:
        """Published, with an opening day still to come (in CONCERTED_TIME_ZONE, like accepting)."""
        day = day or local_today()
        return self.status == self.Status.PUBLISHED and bool(self.opens_on and day < self.opens_on)

    def ordered_questions(self) -> list[Question]:
        cache = getattr(self, "_questions_cache", None)
        if cache is None:
            cache = list(self.questions.prefetch_related("options").order_by("position", "id"))
            self._questions_cache = cache
        return cache

    def localized(self, language: str | None = None) -> Survey:
        """A display copy in `language` (core/translations.py) with its questions and
        options, all in one language: the page's when every part has a current version,
        else the main one with the note."""
        parts, shown_as = translations.localize_together(self.translation_parts(), language, self.main_language())
        shown = parts[0]
        shown.missing_language = shown_as.missing_language
        by_question: dict[int, list[Any]] = {}
        questions = []
        for part in parts[1:]:
            if isinstance(part, Question):
                questions.append(part)
                part._options_shown = by_question.setdefault(part.pk, [])
            else:
                by_question.setdefault(part.question_id, []).append(part)
        shown._questions_cache = questions
        return shown

    def forget_questions(self) -> None:
        self.__dict__.pop("_questions_cache", None)

    def layout(self) -> dict[int, tuple[int, int]]:
        """question id -> (first slot, number of slots) in a response's packed values."""
        slots: dict[int, tuple[int, int]] = {}
        at = 0
        for q in self.ordered_questions():
            width = q.slot_width()
            slots[q.pk] = (at, width)
            at += width
        return slots

    def slot_count(self) -> int:
        return sum(q.slot_width() for q in self.ordered_questions())


class Question(Translatable):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTI = "multi", _("Multiple choice")
        SCALE = "scale", _("Agreement (5-point scale)")
        RANK = "rank", _("Ranking (order these)")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Free text (sealed)")

    class SegmentKind(models.TextChoices):
        TEAM = "team", _("Team")
        SITE = "site", _("Site")
        SHIFT = "shift", _("Shift")
        ROLE = "role", _("Role")
        TENURE = "tenure", _("Tenure")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind of question"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(_("question"), max_length=500)
    help = models.CharField(_("hint (optional)"), max_length=300, blank=True)
    segment = models.CharField(
        _("segment question"),
        max_length=8,
        choices=SegmentKind.choices,
        blank=True,
        help_text=_(
            "Marks a question about who the respondent is (team, site...). Results can be broken down and "
            "weighted by it. Every segment question makes a response easier to single out: ask only what you need."
        ),
    )
    required = models.BooleanField(_("answer required"), default=False)
    number_min = models.IntegerField(_("smallest number allowed"), null=True, blank=True)
    number_max = models.IntegerField(_("largest number allowed"), null=True, blank=True)
    national_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    TRANSLATED = ("text", "help")
    OWN_PAGE = False

    def __str__(self) -> str:
        return self.text

    def main_language(self) -> str:
        return self.survey.campaign.language

    def campaign_id_for_access(self) -> Any:
        return self.survey.campaign_id

    def content_locked(self) -> bool:
        return self.survey.content_locked()

    @property
    def is_closed(self) -> bool:
        return self.kind not in (self.Kind.TEXT, self.Kind.NUMBER)

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTI, self.Kind.SCALE, self.Kind.RANK)

    def option_list(self) -> list[Option]:
        shown = self.__dict__.get("_options_shown")
        if shown is not None:
            return shown
        return sorted(self.options.all(), key=lambda o: o.position)

    def slot_width(self) -> int:
        if self.kind == self.Kind.TEXT:
            return 0
        if self.kind == self.Kind.RANK:
            return len(self.option_list())
        return 1


SCALE_LABELS = [
    _("Strongly disagree"),
    _("Disagree"),
    _("Neither agree nor disagree"),
    _("Agree"),
    _("Strongly agree"),
]


class Option(Translatable):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("option"), max_length=200)
    national_percent = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    TRANSLATED = ("label",)
    OWN_PAGE = False

    def __str__(self) -> str:
        return self.label

    def main_language(self) -> str:
        return self.question.survey.campaign.language

    def campaign_id_for_access(self) -> Any:
        return self.question.survey.campaign_id

    def content_locked(self) -> bool:
        return self.question.survey.content_locked()


class Response(ParticipantRecord):
    """One anonymous response: packed closed answers and the day. Nothing else: no blob
    (closed answers are counted without a key), no receipt, no link to free text."""

    KIND = RESPONSE_KIND
    PARENT = "survey"
    CLEAR_FIELDS = ("values",)

    # A random 31-bit integer, kept from before the record core (any id works as a key).
    id = models.IntegerField(primary_key=True, default=random_id, editable=False)
    sealed = None  # type: ignore[assignment]
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    values = models.BinaryField()

    def unpacked(self) -> np.ndarray:
        return np.frombuffer(bytes(self.values), dtype="<i4")


class FreeText(ParticipantRecord):
    """One sealed free-text answer. Deliberately not linked to its response: no day, a
    separate random id, and (after `concerted tick`) no shared physical trace."""

    KIND = FREE_TEXT_KIND
    PARENT = "survey"
    CLEAR_FIELDS = ("question",)

    # Random 31-bit ids, kept: sealed envelopes made before the record core name them.
    id = models.IntegerField(primary_key=True, default=random_id, editable=False)
    day = None  # type: ignore[assignment]
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="free_texts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="free_texts")


class RespondentContact(ParticipantRecord):
    """A contact a respondent left for messages from the committee (they ticked the box):
    sealed, with the stop token the record core adds. Like FreeText it is kept apart
    from the response: no day, a separate random id, no link to the answers, so opening
    it tells the committee who wrote, never what they answered."""

    KIND = CONTACT_KIND
    PARENT = "survey"

    id = models.IntegerField(primary_key=True, default=random_id, editable=False)
    day = None  # type: ignore[assignment]
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="contacts")


class Release(models.Model):
    """What results pages, the CSV and the bargaining brief show, fixed at release time.

    `data` holds every view's figures with suppression applied (hidden ones as null, with
    their reason); `sizes` holds each view's true number of respondents, kept only so the
    next release can check that every view that changes gains at least k responses."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    made_on = models.DateField(default=today)
    data = models.JSONField()
    sizes = models.JSONField()

    class Meta:
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="surveys_release_number")]

    def __str__(self) -> str:
        return f"release {self.number} of {self.survey_id}"

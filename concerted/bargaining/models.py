"""The AI-at-work bargaining kit of a campaign.

One Kit per campaign holds what coworkers file anonymously (surveillance reports,
metric-pressure reports, proposed demands, ballots) and what the committee writes (the
demands on the board). Clear answers are small integers and booleans so they can be
counted without opening anything; whatever a coworker types is sealed."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core.days import today
from concerted.core.records import ParticipantRecord
from concerted.core.shortcodes import short_slug
from concerted.core.text import same_words_key
from concerted.core.translations import Translatable

REPORT_KIND = "bargaining.report"
PROPOSAL_KIND = "bargaining.proposal"
BALLOT_KIND = "bargaining.ballot"

# Multi-select answers: (boolean field on the row, label). Order is the order shown.
CAPTURES = [
    ("cap_keystrokes", _("Keystrokes")),
    ("cap_mouse", _("Mouse movements and clicks")),
    ("cap_screenshots", _("Screenshots or screen video")),
    ("cap_webcam", _("Webcam photos or video")),
    ("cap_urls", _("Websites and apps used")),
    ("cap_chat", _("Chat and email")),
    ("cap_ai_usage", _("AI-tool usage or token counts")),
]
DEVICES = [
    ("dev_work_computer", _("Work computer")),
    ("dev_work_phone", _("Work phone")),
    ("dev_personal_phone", _("My own phone")),
    ("dev_personal_computer", _("My own computer")),
]
COUNTED = [
    ("cnt_prompts", _("Number of prompts or AI sessions")),
    ("cnt_tokens", _("Tokens used")),
    ("cnt_share", _("Share of work or code written by AI")),
    ("cnt_time", _("Time spent in AI tools")),
    ("cnt_agent_tasks", _("Tasks run through AI agents")),
]
USES = [
    ("use_leaderboard", _("A leaderboard or ranking people can see")),
    ("use_targets", _("Targets or quotas")),
    ("use_reviews", _("Performance reviews")),
    ("use_callouts", _("Managers single out low users")),
    ("use_pay", _("Pay, bonus or promotion")),
    ("use_layoffs", _("Layoffs or performance plans")),
]
RESPONSES = [
    ("resp_padding", _("Padding usage to look busy (running tasks nobody needs)")),
    ("resp_unhelpful", _("Using AI where it doesn't help")),
    ("resp_extra_hours", _("Extra hours fixing AI output")),
    ("resp_stress", _("Stress or worry about the numbers")),
    ("resp_nothing", _("Nothing has changed")),
]


class Kit(models.Model):
    """A campaign's bargaining kit; its slug makes the public pages' addresses."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="bargaining_kit")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    reports_open = models.BooleanField(_("taking reports"), default=False)
    proposals_open = models.BooleanField(_("taking proposed demands"), default=False)
    voting_open = models.BooleanField(_("ballot open"), default=False)
    created = models.DateField(default=today)

    def __str__(self) -> str:
        return f"bargaining kit of {self.campaign}"

    def ballot_demands(self) -> models.QuerySet[Demand]:
        return self.demands.filter(status=Demand.Status.BALLOT, merged_into__isnull=True)

    def report_count(self) -> int:
        return self.surveillance_reports.count() + self.pressure_reports.count()


class Unknown3(models.IntegerChoices):
    """Yes / no / don't know, stored small; 0 means not answered or don't know."""

    UNKNOWN = 0, _("Don't know")
    YES = 1, _("Yes")
    NO = 2, _("No")


class SurveillanceReport(ParticipantRecord):
    """A coworker's anonymous report of one monitoring tool."""

    KIND = REPORT_KIND
    PARENT = "kit"
    CLEAR_FIELDS = (
        "tool",
        *(name for name, _label in CAPTURES + DEVICES),
        "disclosed",
        "feeds_evaluations",
        "trains_ai",
    )

    class Tool(models.IntegerChoices):
        TERAMIND = 1, "Teramind"
        ACTIVTRAK = 2, "ActivTrak"
        HUBSTAFF = 3, "Hubstaff"
        VERIATO = 4, "Veriato / InterGuard / Spector 360"
        INHOUSE = 5, _("A tracker the company built")
        OTHER = 6, _("Another tool")
        UNKNOWN = 7, _("I don't know its name")

    class Disclosed(models.IntegerChoices):
        UNKNOWN = 0, _("Don't know")
        WRITING = 1, _("Yes, in writing")
        VERBAL = 2, _("Only verbally, or when someone asked")
        NO = 3, _("No")

    class TrainsAI(models.IntegerChoices):
        UNKNOWN = 0, _("Don't know")
        SAID = 1, _("Yes, the company said so")
        SUSPECT = 2, _("I think so")
        NO = 3, _("No")

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="surveillance_reports")
    tool = models.PositiveSmallIntegerField(choices=Tool.choices)
    cap_keystrokes = models.BooleanField(default=False)
    cap_mouse = models.BooleanField(default=False)
    cap_screenshots = models.BooleanField(default=False)
    cap_webcam = models.BooleanField(default=False)
    cap_urls = models.BooleanField(default=False)
    cap_chat = models.BooleanField(default=False)
    cap_ai_usage = models.BooleanField(default=False)
    dev_work_computer = models.BooleanField(default=False)
    dev_work_phone = models.BooleanField(default=False)
    dev_personal_phone = models.BooleanField(default=False)
    dev_personal_computer = models.BooleanField(default=False)
    disclosed = models.PositiveSmallIntegerField(choices=Disclosed.choices, default=Disclosed.UNKNOWN)
    feeds_evaluations = models.PositiveSmallIntegerField(choices=Unknown3.choices, default=Unknown3.UNKNOWN)
    trains_ai = models.PositiveSmallIntegerField(choices=TrainsAI.choices, default=TrainsAI.UNKNOWN)


class PressureReport(ParticipantRecord):
    """A coworker's anonymous report of AI-usage quotas, leaderboards and their effects."""

    KIND = REPORT_KIND  # one kind for both reports: envelopes made before the core say so
    PARENT = "kit"
    CLEAR_FIELDS = (*(name for name, _label in COUNTED + USES + RESPONSES), "pressure")

    class Pressure(models.IntegerChoices):
        UNKNOWN = 0, _("Prefer not to say")
        NONE = 1, _("None")
        SOME = 2, _("Some")
        A_LOT = 3, _("A lot")
        SEVERE = 4, _("Severe: I worry about my job")

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="pressure_reports")
    cnt_prompts = models.BooleanField(default=False)
    cnt_tokens = models.BooleanField(default=False)
    cnt_share = models.BooleanField(default=False)
    cnt_time = models.BooleanField(default=False)
    cnt_agent_tasks = models.BooleanField(default=False)
    use_leaderboard = models.BooleanField(default=False)
    use_targets = models.BooleanField(default=False)
    use_reviews = models.BooleanField(default=False)
    use_callouts = models.BooleanField(default=False)
    use_pay = models.BooleanField(default=False)
    use_layoffs = models.BooleanField(default=False)
    resp_padding = models.BooleanField(default=False)
    resp_unhelpful = models.BooleanField(default=False)
    resp_extra_hours = models.BooleanField(default=False)
    resp_stress = models.BooleanField(default=False)
    resp_nothing = models.BooleanField(default=False)
    pressure = models.PositiveSmallIntegerField(choices=Pressure.choices, default=Pressure.UNKNOWN)


class Proposal(ParticipantRecord):
    """A demand a coworker proposed, sealed. The committee reads it on its own machine
    and puts it on the board in its own words (merging duplicates)."""

    KIND = PROPOSAL_KIND
    PARENT = "kit"

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="proposals")


class Demand(Translatable):
    """A demand on the board, written by the committee (from proposals or the library)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not on the ballot)")
        BALLOT = "ballot", _("On the ballot")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="demands")
    title = models.CharField(_("short title"), max_length=120)
    text = models.TextField(_("the demand"), max_length=4000)
    clause_keys = models.JSONField(_("backed by clauses"), default=list, blank=True)
    from_proposals = models.PositiveIntegerField(
        _("proposed by how many coworkers"), default=0, help_text=_("How many sealed proposals this one merges.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged", editable=False
    )
    chosen = models.BooleanField(_("in the bargaining brief"), default=False)
    created = models.DateField(default=today)

    class Meta:
        ordering = ["created", "title"]

    TRANSLATED = ("title", "text")

    def __str__(self) -> str:
        return self.title

    def main_language(self) -> str:
        return self.kit.campaign.language

    def campaign_id_for_access(self) -> Any:
        return self.kit.campaign_id

    def organizer_url(self) -> str:
        return reverse("bargaining:demand_edit", args=[self.pk])

    def clean(self) -> None:
        """Two demands on a kit's board never share a title: the ballot, the results and
        the brief name demands by their title, so a second "No keystroke tracking" would
        split one demand's support in two under one name. A merged duplicate is off the
        board and doesn't count."""
        super().clean()
        if not self.title or not self.kit_id:
            return
        key = same_words_key(self.title)
        others = self.kit.demands.filter(merged_into__isnull=True).exclude(pk=self.pk)
        twin = next((title for title in others.values_list("title", flat=True) if same_words_key(title) == key), None)
        if twin is not None:
            message = _(
                "The board already has a demand called “%(title)s”. Give this one another title, or edit that "
                "demand instead (a duplicate can be merged into it)."
            )
            raise ValidationError({"title": ValidationError(message % {"title": twin}, code="duplicate")})

    def clauses(self) -> list[Any]:
        from .clauses import by_key

        library = by_key()
        return [library[k] for k in self.clause_keys if k in library]


class Ballot(ParticipantRecord):
    """One member's ranking, in one row: {demand id: rank}. It holds no invite code, no
    name and no link to either: using the invite code only deletes the code's row
    (concerted.invites). Not even the day: a batch's used-counter moving on the day a
    ballot appears could tie the two.

    One row, not a row per ranked demand: rows written together in one transaction share
    an xmin on PostgreSQL and sit next to each other on disk, which a seized copy could
    use to regroup them even after the rewrite mixed the ballots; a single row has
    nothing to be paired with. Like every record it sits in random order (core/records.py)."""

    KIND = BALLOT_KIND
    PARENT = "kit"
    CLEAR_FIELDS = ("ranks",)

    sealed = None  # type: ignore[assignment]  # ranks are counted in the clear, without a key
    day = None  # type: ignore[assignment]
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="ballots")
    # {str(demand id): dense rank from 1}; demands not ranked are absent.
    ranks = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"ballot {self.pk}"

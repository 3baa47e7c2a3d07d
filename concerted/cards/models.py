"""The union card drive: a bargaining unit, its roster, one-on-ones, and signed cards.

Thresholds are exact integer arithmetic (no floats): 30% of 10 is 3, not 3.0000000004.
Everything identifying (names, contacts, notes, the card itself) is sealed to the
campaign key. Card rows keep ids, the day and an optional non-identifying segment, so
progress is counted without opening anything; roster rows keep nothing but a random id
(the assessments and groups are sealed too, and the wall chart opens on the organizer's
device)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign, Segment
from concerted.core import sealing
from concerted.core.records import ParticipantRecord, ReceiptRecord
from concerted.core.shortcodes import short_slug
from concerted.core.translations import Translatable

CARD_KIND = "cards.card"
ROSTER_KIND = "cards.roster"
NOTE_KIND = "cards.note"

SHOWING_PERCENT = 30  # NLRB showing of interest for an election petition

# How the card drive names the campaign's segment kinds (campaigns.Segment.Kind).
SEGMENT_NAMES: dict[str, Any] = {
    Segment.Kind.TEAM: _("Department"),
    Segment.Kind.SITE: _("Site"),
    Segment.Kind.SHIFT: _("Shift"),
    Segment.Kind.ROLE: _("Job classification"),
}
SEGMENT_KINDS = list(SEGMENT_NAMES)


def percent_needed(size: int, percent: int) -> int:
    """Smallest whole number of people that is at least `percent`% of `size` (ceil, exact)."""
    if size < 0 or not 0 <= percent <= 100:
        raise ValueError("size must be >= 0 and percent between 0 and 100")
    return -(-size * percent // 100)


def showing_needed(size: int) -> int:
    """Cards for the NLRB's 30% showing of interest: ceil(0.30 x size)."""
    return percent_needed(size, SHOWING_PERCENT)


def majority_needed(size: int) -> int:
    """A majority is more than half: floor(size / 2) + 1."""
    if size < 0:
        raise ValueError("size must be >= 0")
    return size // 2 + 1 if size else 0


DEFAULT_CARD_TEXT = (
    "I, the undersigned employee of {employer}, authorize {union} to represent me for the purpose of "
    "collective bargaining with my employer concerning wages, hours and other terms and conditions of "
    "employment. This card may be used to support a petition for an election or a demand for recognition."
)

# The organizer's 1-5 scale: 1 is the strongest supporter.
ASSESSMENTS = [
    (1, _("1 · Leader / committed")),
    (2, _("2 · Supporter")),
    (3, _("3 · Undecided")),
    (4, _("4 · Leaning against")),
    (5, _("5 · Opposed")),
]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class BargainingUnit(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for cards")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="units")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    name = models.CharField(
        _("bargaining unit"), max_length=200, help_text=_("e.g. “All customer support agents at Acme's Berlin site”")
    )
    employer = models.CharField(_("employer (legal name)"), max_length=200)
    union = models.CharField(
        _("union the cards authorize"), max_length=200, help_text=_("Exactly as it should appear on the card.")
    )
    size = models.PositiveIntegerField(
        _("unit size"), validators=[MinValueValidator(1)], help_text=_("How many people are in the unit today.")
    )
    supermajority_percent = models.PositiveSmallIntegerField(
        _("committee goal (% of the unit)"),
        default=65,
        validators=[MinValueValidator(51), MaxValueValidator(100)],
        help_text=_("Many committees wait for 60–70% before filing."),
    )
    card_text = models.TextField(
        _("card text"),
        max_length=5000,
        help_text=_("Shown word for word above the signature. {employer} and {union} are filled in."),
    )
    card_segment_kind = models.CharField(
        _("ask signers for their"),
        max_length=10,
        choices=[(k, v) for k, v in SEGMENT_NAMES.items()],
        blank=True,
        default=Segment.Kind.TEAM,
        help_text=_("Optional, for per-group progress. Groups under five are never shown."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "name"]

    # The card text only: the unit's name, employer and union are names, the same in every language.
    TRANSLATED = ("card_text",)

    def __str__(self) -> str:
        return self.name

    def organizer_url(self) -> str:
        return reverse("cards:edit", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Taking cards: opened by an organizer, and there is a key to seal them to."""
        return self.status == self.Status.OPEN and self.campaign.has_key

    def rendered_card_text(self) -> str:
        """The text exactly as a signer sees and signs it (in the language shown, on a
        localized copy: core/translations.py)."""
        return self._fill(self.card_text)

    def _fill(self, text: str) -> str:
        return text.replace("{employer}", self.employer).replace("{union}", self.union)

    def card_text_hash(self) -> str:
        """The card's version: a digest of the organizer's main text, the same whatever
        language a card was signed in. It is what the row keeps in the clear, so a card
        signed in Spanish and one signed in English of the same version can't be told
        apart by language on the server (the signed text itself is sealed)."""
        main = getattr(self, "main_text", {}).get("card_text", self.card_text)
        return text_hash(self._fill(main))

    def shown_text_hash(self) -> str:
        return text_hash(self.rendered_card_text())

    def showing_needed(self) -> int:
        return showing_needed(self.size)

    def majority_needed(self) -> int:
        return majority_needed(self.size)

    def goal_needed(self) -> int:
        return percent_needed(self.size, self.supermajority_percent)

    def segments(self, kind: str | None = None) -> models.QuerySet[Segment]:
        kind = self.card_segment_kind if kind is None else kind
        if not kind:
            return Segment.objects.none()
        return self.campaign.segments.filter(kind=kind)


class RosterPerson(ParticipantRecord):
    """One coworker on the organizers' list. Everything about the person is sealed:
    name, contact, groups, the 1-5 assessment and when it was made (see ROSTER_FIELDS).
    The row keeps only a random id and its unit; like every record it sits in random
    order (core/records.py), and is not even listed by when it was added. The wall
    chart is built on the organizer's device from the sealed records."""

    KIND = ROSTER_KIND
    PARENT = "unit"

    day = None  # type: ignore[assignment]  # the day it was added is sealed
    unit = models.ForeignKey(BargainingUnit, on_delete=models.CASCADE, related_name="roster")

    class Meta:
        ordering = ["id"]  # random: says nothing about who was added when


# What a sealed roster record holds; a log entry may change any of the GROUP_FIELDS
# and the assessment (see cards.roster.current).
GROUP_FIELDS = ["department", "shift", "site", "classification"]
ROSTER_FIELDS = ["name", "contact", *GROUP_FIELDS, "assessment", "assessed_on", "added"]

# Which campaign segment kind a roster group field is named after.
FIELD_FOR_KIND = {
    Segment.Kind.TEAM: "department",
    Segment.Kind.SITE: "site",
    Segment.Kind.SHIFT: "shift",
    Segment.Kind.ROLE: "classification",
}


class OneOnOne(models.Model):
    """An entry in a roster person's log: a one-on-one conversation (who talked, the
    note, the next step, the assessment after it) or a correction of their groups or
    assessment. All of it, its date included, is sealed; the row keeps a random id and
    the person it belongs to (also in the sealed envelope, so it can't be moved)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(RosterPerson, on_delete=models.CASCADE, related_name="notes")
    sealed = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"one-on-one {self.pk}"

    def envelope_ids(self) -> dict[str, str]:
        unit = self.person.unit
        return {
            "campaign": str(unit.campaign_id),
            "unit": str(unit.pk),
            "person": str(self.person_id),
            "row": str(self.id),
        }

    def seal_data(self, data: dict[str, Any]) -> None:
        self.sealed = sealing.seal(
            self.person.unit.campaign.nacl_public_key(), kind=NOTE_KIND, ids=self.envelope_ids(), data=data
        )


class Card(ReceiptRecord):
    """One signed authorization card. The signer's details, the typed signature and the
    exact text signed are sealed; the row keeps the day, an optional group, the hash of
    the card text (which version was signed) and the receipt's hash. No hash of the
    phone: repeats are found by the committee when it opens the cards (core/dedup.py)."""

    KIND = CARD_KIND
    PARENT = "unit"
    CLEAR_FIELDS = ("text_hash", "segment")

    unit = models.ForeignKey(BargainingUnit, on_delete=models.CASCADE, related_name="cards")
    text_hash = models.CharField(max_length=64)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL)

    def export_row(self) -> dict[str, Any]:
        return {
            **super().export_row(),
            "segment": self.segment.label if self.segment else "",
            "text_hash": self.text_hash,
        }

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign, Segment
from concerted.core.records import ReceiptRecord
from concerted.core.shortcodes import short_slug
from concerted.core.translations import Translatable

SIGNATURE_KIND = "petitions.signature"


class Petition(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="petitions")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what the petition asks"), max_length=10000)
    addressee = models.CharField(_("addressed to"), max_length=200, help_text=_("e.g. “Acme Corp. management”"))
    goal_count = models.PositiveIntegerField(_("goal (signatures)"), null=True, blank=True)
    goal_percent = models.PositiveSmallIntegerField(
        _("goal (% of the unit)"), null=True, blank=True, help_text=_("Used when the campaign has a unit size.")
    )
    segment_kind = models.CharField(
        _("ask signers for their"),
        max_length=10,
        choices=Segment.Kind.choices,
        blank=True,
        help_text=_("Optional. Counts per group are shown only for groups of five or more."),
    )
    requires_invite = models.BooleanField(
        _("verified coworkers only"),
        default=False,
        help_text=_(
            "Signing needs a single-use invite code from a card the committee hands out. "
            "Make the codes on the petition's page under “Flyers and invite codes”."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateField(auto_now_add=True)

    INVITE_KIND = "petition"  # target_kind for concerted.invites
    TRANSLATED = ("title", "body", "addressee")
    # What a coworker signs: fixed once the petition has been open (`content_locked`).
    # The goal is not among them: it is the committee's progress target, not the demand.
    SIGNED_FIELDS = ("title", "body", "addressee", "segment_kind", "requires_invite")

    class Meta:
        ordering = ["-created", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def organizer_url(self) -> str:
        return reverse("petitions:edit", args=[self.pk])

    def content_locked(self) -> bool:
        """Whether what people sign is fixed: once the petition is open or closed, or
        has any signature. Its SIGNED_FIELDS and its text in every other language
        (core/translations.py) then stay as signed, and it never goes back to draft: a
        signature must stay under the text its signer saw, and so must the deliverable."""
        if self.status != self.Status.DRAFT:
            return True
        return not self._state.adding and self.signatures.exists()

    def goal(self) -> int | None:
        """The goal as a count: a fixed number, or a share of the unit rounded up."""
        if self.goal_count:
            return self.goal_count
        if self.goal_percent and self.campaign.unit_size:
            return -(-self.campaign.unit_size * self.goal_percent // 100)  # rounded up, in whole numbers
        return None

    def segments(self) -> models.QuerySet[Segment]:
        if not self.segment_kind:
            return Segment.objects.none()
        return self.campaign.segments.filter(kind=self.segment_kind)


class Signature(ReceiptRecord):
    """One signature. Everything identifying is in `sealed`; the rest is what the
    dashboard counts: the day and an optional group. No contact hash: the server keeps
    every submission, and the committee finds repeats when it opens them."""

    KIND = SIGNATURE_KIND
    PARENT = "petition"
    CLEAR_FIELDS = ("segment",)

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL)

    def export_row(self) -> dict[str, Any]:
        return {**super().export_row(), "segment": self.segment.label if self.segment else ""}

"""Invite batches and their codes.

A batch knows its target (a petition, pledge, survey, ballot: by kind and id, so this
app depends on none of them), how many codes it holds and how many were used. A code
row is a keyed hash (to check a typed code) and, for batches made since codes are
kept sealed, the code sealed to the committee key (to print the card again on the
committee's own computer; the server can't open it). Using a code deletes its row,
sealed copy included, so the database never says which code was used, only how many
per batch. Voiding a batch deletes every unused row of it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core.days import today


class InviteBatch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invite_batches")
    target_kind = models.CharField(max_length=20)  # "petition", "pledge", "survey", "ballot"
    target_id = models.UUIDField()
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        help_text=_("For the committee only, e.g. “Night shift, Lisbon”. Never a coworker's name."),
    )
    size = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)
    created = models.DateField(default=today)
    # True when every code was also stored sealed to the committee key when the batch was
    # made (batches made before that, or while the campaign had no key, can't be reprinted).
    sealed = models.BooleanField(default=False)
    voided = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "label"]
        indexes = [models.Index(fields=["target_kind", "target_id"], name="invite_batch_target")]

    def __str__(self) -> str:
        return self.label or f"batch {self.pk}"

    @property
    def unused(self) -> int:
        """Codes that still work: none once the batch is voided."""
        return 0 if self.voided else self.size - self.used

    @property
    def reprintable(self) -> bool:
        return self.sealed and not self.voided and self.used < self.size


class InviteCode(models.Model):
    """One unused code. The hash is the primary key: no sequence number that would
    follow the order the cards were printed in."""

    ERASED_IN_PLACE = True  # a used code is deleted and purged (core.records.erased_tables)

    code_hash = models.CharField(max_length=64, primary_key=True)
    batch = models.ForeignKey(InviteBatch, on_delete=models.CASCADE, related_name="codes")
    # The code sealed to the committee key (core.sealing), for "print again" on the
    # committee's computer; null for batches made before codes were kept sealed.
    sealed = models.BinaryField(null=True)

    def __str__(self) -> str:
        return "invite code"


class UsageRelease(models.Model):
    """How many codes of each batch of one target were used, as released to the
    committee's pages (concerted.invites.usage): at most once a day, audited against
    every earlier release like a group breakdown. `history` holds every release shown,
    oldest first, each {"at", "total", "groups": [[batch id, used or None], ...]}."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(max_length=20)
    target_id = models.UUIDField()
    history = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target_kind", "target_id"], name="invite_usage_target")]

    def __str__(self) -> str:
        return f"invite use of {self.target_kind} {self.target_id}"

"""The core's own tables: released figures (DESIGN invariant 11).

Nothing here belongs to a participant: a Release row holds the figures of one subject
(a petition, a pledge, a card drive, ...) as last released to the public, and how many
participant actions arrived since. See concerted/core/releases.py."""

from __future__ import annotations

import uuid

from django.db import models


class Release(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)  # the registry key, e.g. "petitions.petition"
    subject_id = models.UUIDField()
    # What the public sees until the next release, e.g. {"total": 35}.
    figures = models.JSONField(default=dict)
    released_at = models.DateTimeField(null=True, blank=True)
    # Participant actions (arrivals and withdrawals) since the figures were taken.
    pending = models.PositiveIntegerField(default=0)
    # Every group breakdown released so far, oldest first (concerted.core.breakdowns):
    # [{"at": ISO time or None, "total": n, "groups": {label: n or None}}]. Only what
    # was shown, so nothing here is more than the committee has seen; the next
    # breakdown is audited against all of it.
    history = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="one_release_per_subject")]

    def __str__(self) -> str:
        return f"release of {self.kind} {self.subject_id}"


class ReleaseClock(models.Model):
    """One row: when `concerted tick` last ran, so a release happens only at the first
    tick after a scheduled time, never at a later tick that an arrival made eligible."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_tick = models.DateTimeField()

    def __str__(self) -> str:
        return f"last tick {self.last_tick:%Y-%m-%d %H:%M}"

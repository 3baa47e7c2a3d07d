"""The core's own tables: released figures (DESIGN invariant 11).

Nothing here belongs to a participant: a Release row holds the figures of one subject
(a petition, a pledge, a card drive, ...) as last released to the public, and how many
participant actions arrived since. See concerted/core/releases.py. A SentForm row
(concerted/core/sentonce.py) is a stored form's answer, which only the browser that sent
it can open; kept for the day."""

from __future__ import annotations

import uuid

from django.db import models

from .days import today


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


class SentForm(models.Model):
    """A participant form that was stored: the first answer, to give it again to a repeat
    of the same form (a double tap, Back then Submit). See concerted/core/sentonce.py."""

    # One row per submission, written with the participant's record: in arrival order a
    # seized copy would pair rows with records (core.records: WITHOUT ROWID on SQLite,
    # rewritten by tick on both databases).
    STORAGE_UNORDERED = True
    # Deleted through core.records.erase (by tick): no column is sampled into
    # PostgreSQL's statistics either (core.records.erased_tables).
    ERASED_IN_PLACE = True

    id = models.CharField(primary_key=True, max_length=64, editable=False)  # BLAKE2b of token and path
    answer = models.BinaryField()  # the redirect, padded, in a SecretBox under the token's key
    day = models.DateField(default=today)  # a day, never a time (invariant 11)

    def __str__(self) -> str:
        return f"sent form {self.day}"

"""How many codes of each batch were used, as the committee's pages show it (DESIGN
invariant 11).

A batch is often handed to one group of coworkers (a shift, a floor, one site), and
sometimes to very few people. Its exact "Used 3 of 20" read at every page load would
tell a committee member (a read-only one may be the employer's informant) when someone
of that group acted, and with a batch of one card, whether its holder did. So the table
shows what was *released*: when one of the target's own figures is released (concerted
.core.releases), at most once a day (`releases.breakdown_due`), each batch's use is
audited against every earlier release of the same target with the group-breakdown audit
(`concerted.core.breakdowns.protect`), batches standing for groups. A batch stays hidden
until its use has grown by at least 5 since it was last shown, or others cover it.

The exact counters stay in InviteBatch.used, as the audit's input; nothing an organizer
opens shows them (the void confirmation names no count, and the sealed download for
printing again is padded to the batch's size: codes.sealed_records)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import models

from concerted.core import breakdowns, releases

from .models import InviteBatch, UsageRelease


@dataclass(frozen=True)
class BatchRow:
    """One batch as the committee's table shows it."""

    batch: InviteBatch
    released: bool  # False: made since the last release, nothing shown yet
    used: int | None  # None: hidden (or not released yet)

    @property
    def unused(self) -> int | None:
        if self.batch.voided:
            return 0
        return None if self.used is None else self.batch.size - self.used

    @property
    def all_used(self) -> bool:
        return self.used is not None and self.used >= self.batch.size


@dataclass(frozen=True)
class Usage:
    """A target's batches, newest first, with their released use (invites/_batches.html)."""

    rows: list[BatchRow]
    released_at: datetime.datetime | None  # the release shown; None: none yet

    def __bool__(self) -> bool:
        return bool(self.rows)


def usage(target_kind: str, target_id: uuid.UUID | str) -> Usage:
    batches = InviteBatch.objects.filter(target_kind=target_kind, target_id=target_id).order_by("-created", "label")
    last = _last(target_kind, target_id)
    shown = breakdowns.shown_in(last) if last else {}
    at = datetime.datetime.fromisoformat(last["at"]) if last and last["at"] else None
    return Usage([BatchRow(b, str(b.pk) in shown, shown.get(str(b.pk))) for b in batches], at)


def _last(target_kind: str, target_id: uuid.UUID | str) -> dict[str, Any] | None:
    history = (
        UsageRelease.objects.filter(target_kind=target_kind, target_id=target_id)
        .values_list("history", flat=True)
        .first()
    )
    return history[-1] if history else None


def release(subject: models.Model, at: datetime.datetime) -> Callable[[], None] | None:
    """Prepare a new audited release of the use of every batch aimed at `subject`, where
    one is due, and return what stores it (None: nothing due). Called while the subject's
    own release is prepared, outside any transaction: the audit takes seconds on a long
    campaign and must not hold the database's write lock (core/releases.py: _release);
    the subject's release calls the returned function in its short transaction."""
    batches = InviteBatch.objects.filter(target_id=subject.pk).order_by("target_kind", "created", "pk")
    prepared: list[tuple[UsageRelease, list[dict[str, Any]]]] = []
    for target_kind, found in groupby(batches, key=lambda b: b.target_kind):
        group = list(found)
        row, _created = UsageRelease.objects.get_or_create(
            target_kind=target_kind, target_id=subject.pk, defaults={"campaign_id": group[0].campaign_id}
        )
        if not releases.breakdown_due(row.history, at):
            continue
        counts = {str(b.pk): b.used for b in group}
        # The total of used codes counts as known to the attacker: it is close to the
        # target's public count, and assuming more than an informant has is safe.
        prepared.append((row, releases.audited(row.history, counts, at)))
    if not prepared:
        return None

    def store() -> None:
        for seen, history in prepared:
            row = UsageRelease.objects.select_for_update().get(pk=seen.pk)
            # Another release stored one meanwhile: this audit no longer covers it.
            if row.history == seen.history:
                row.history = history
                row.save(update_fields=["history"])

    return store


def _on_release(
    sender: Any, kind: releases.Kind, subject: models.Model, at: datetime.datetime, **kwargs: Any
) -> Callable[[], None] | None:
    return release(subject, at)


def connect() -> None:
    releases.releasing.connect(_on_release, dispatch_uid="concerted.invites.usage")

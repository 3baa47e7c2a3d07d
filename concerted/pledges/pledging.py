"""Pledging and withdrawing: the only code that writes pledge rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from concerted.core import receipts, records
from concerted.invites import codes as invites

from .models import Commitment, Pledge


class NotAccepting(Exception):
    """The pledge stopped taking pledges (deadline passed, lapsed, active)."""


class CannotWithdraw(Exception):
    pass


InviteRefused = invites.InviteRefused


@dataclass
class Pledged:
    commitment: Commitment
    receipt_code: str


def pledge(target: Pledge, cleaned: dict[str, Any]) -> Pledged:
    """Seal the pledger's details and store one row, under a lock on the pledge so a
    lapse or confirmation running at the same moment sees a consistent count. When the
    pledge needs an invite code, the code is used up in the same transaction as the
    insert: both happen or neither."""
    code, code_hash = receipts.new_receipt()
    contact = cleaned.get("contact") or ""
    commitment = Commitment(
        pledge=target,
        receipt_hash=code_hash,
        may_message=bool(cleaned.get("may_message") and contact),  # nowhere to write without a contact
    )
    commitment.seal_data({"name": cleaned["name"], "contact": contact, "day": commitment.day.isoformat()})
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=target.pk)
        if not locked.accepting():
            raise NotAccepting()
        if locked.requires_invite:
            invites.consume(Pledge.INVITE_KIND, locked.pk, cleaned.get("invite_code") or "")
        records.insert(commitment)
    return Pledged(commitment, code)


def find_by_receipt(target: Pledge, code: str) -> Commitment | None:
    return records.find_by_receipt(Commitment, target, code)


def withdraw(commitment: Commitment) -> None:
    """Delete one pledge row; only while the pledge is open (reached included)."""
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=commitment.pledge_id)
        if not locked.can_withdraw():
            raise CannotWithdraw()
        records.erase(commitment)

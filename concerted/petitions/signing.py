"""Signing and withdrawing: the only code that writes signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from concerted.core import receipts, records
from concerted.invites import codes as invites

from .models import Petition, Signature

InviteRefused = invites.InviteRefused


@dataclass
class Signed:
    signature: Signature
    receipt_code: str


def sign(petition: Petition, cleaned: dict[str, Any]) -> Signed:
    """Seal the signer's details and store one row; raise InviteRefused when the petition
    needs an invite code and this one can't be used. The code is used up in the same
    transaction as the insert: both happen or neither. A repeat contact is stored like
    any other signature (the server can't tell, so nobody can ask it)."""
    code, code_hash = receipts.new_receipt()
    contact = cleaned.get("contact") or ""
    signature = Signature(
        petition=petition,
        receipt_hash=code_hash,
        segment_id=cleaned.get("segment"),
        may_message=bool(cleaned.get("may_message") and contact),  # nowhere to write without a contact
    )
    signature.seal_data(
        {
            "name": cleaned["name"],
            "contact": contact,
            "comment": cleaned.get("comment") or "",
            "consent_named": bool(cleaned.get("consent_named")),
            "day": signature.day.isoformat(),
        }
    )
    with transaction.atomic():
        if petition.requires_invite:
            invites.consume(Petition.INVITE_KIND, petition.pk, cleaned.get("invite_code") or "")
        records.insert(signature)
    return Signed(signature, code)


def find_by_receipt(petition: Petition, code: str) -> Signature | None:
    return records.find_by_receipt(Signature, petition, code)


def withdraw(signature: Signature) -> None:
    records.erase(signature)

"""Signing and withdrawing: the only code that writes signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from concerted.core import receipts
from concerted.core.erase import purge_deleted
from concerted.core.hashing import contact_hash
from concerted.invites import codes as invites

from .models import Petition, Signature


class AlreadySigned(Exception):
    pass


InviteRefused = invites.InviteRefused


@dataclass
class Signed:
    signature: Signature
    receipt_code: str


def sign(petition: Petition, cleaned: dict[str, Any]) -> Signed:
    """Seal the signer's details and store one row; raise AlreadySigned on a repeat contact
    and InviteRefused when the petition needs an invite code and this one can't be used.
    The code is used up in the same transaction as the insert: both happen or neither."""
    code, code_hash = receipts.new_receipt()
    contact = cleaned.get("contact") or ""
    signature = Signature(
        petition=petition,
        receipt_hash=code_hash,
        contact_hash=contact_hash(str(petition.campaign_id), contact) if contact else None,
        segment_id=cleaned.get("segment"),
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
    try:
        with transaction.atomic():
            if petition.requires_invite:
                invites.consume(Petition.INVITE_KIND, petition.pk, cleaned.get("invite_code") or "")
            signature.save(force_insert=True)
    except IntegrityError:
        raise AlreadySigned() from None
    return Signed(signature, code)


def find_by_receipt(petition: Petition, code: str) -> Signature | None:
    if not receipts.looks_valid(code):
        return None
    return Signature.objects.filter(petition=petition, receipt_hash=receipts.receipt_hash(code)).first()


def withdraw(signature: Signature) -> None:
    # secure_delete (SQLite) overwrites the row's bytes; purge_deleted clears the WAL.
    signature.delete()
    purge_deleted(Signature._meta.db_table)

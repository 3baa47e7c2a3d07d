from __future__ import annotations

import uuid

from django import template
from django.db.models import QuerySet

from concerted.invites.models import InviteBatch

register = template.Library()


@register.simple_tag
def invite_batches(target_kind: str, target_id: uuid.UUID | str) -> QuerySet[InviteBatch]:
    """{% invite_batches "petition" petition.pk as batches %}: used/size per batch, never which code."""
    return InviteBatch.objects.filter(target_kind=target_kind, target_id=target_id).order_by("-created", "label")

from __future__ import annotations

import uuid

from django import template

from concerted.invites.usage import Usage, usage

register = template.Library()


@register.simple_tag
def invite_batches(target_kind: str, target_id: uuid.UUID | str) -> Usage:
    """{% invite_batches "petition" petition.pk as batches %}: each batch's use as released, never which code."""
    return usage(target_kind, target_id)

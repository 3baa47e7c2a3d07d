"""`{% backup_keep_days as days %}`: how long a destroyed record may still sit in the
encrypted nightly backups, so participant pages can say when it is gone for good."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def backup_keep_days() -> int:
    return settings.BACKUP_KEEP_DAYS

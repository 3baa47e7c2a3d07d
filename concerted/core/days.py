from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """The only time a participant action is stored with: the day (UTC)."""
    return timezone.now().date()

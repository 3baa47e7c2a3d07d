from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """The only time a participant action is stored with: the day (UTC).

    UTC whatever CONCERTED_TIME_ZONE says: timezone.localdate() would follow it, and so
    would datetime.date.today(), since Django sets the process's TZ to TIME_ZONE. Deadlines,
    closing days and erasure ages are all counted in these UTC days (docs/PLEDGES.md), and
    a zone changed on a running installation must not shift the days already stored."""
    return timezone.now().date()


def local_today() -> datetime.date:
    """The installation's date (CONCERTED_TIME_ZONE): for a date an organizer types, such
    as a one-on-one's day, checked against "not in the future" and offered as the default.
    Never a stamp: stored actions use today()."""
    return timezone.localdate()

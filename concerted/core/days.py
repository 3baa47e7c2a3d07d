from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """The only time a participant action is stored with: the day (UTC).

    UTC whatever CONCERTED_TIME_ZONE says: timezone.localdate() would follow it, and so
    would datetime.date.today(), since Django sets the process's TZ to TIME_ZONE. Stamps
    (a signature's day, a lapse's day) and erasure ages are counted in these UTC days, and
    a zone changed on a running installation must not shift the days already stored.
    A date an organizer typed (a pledge's deadline, a survey's closing day) is not one of
    them: it is read against local_today()."""
    return timezone.now().date()


def local_today() -> datetime.date:
    """The installation's date (CONCERTED_TIME_ZONE): for a date an organizer types, such
    as a one-on-one's day, checked against "not in the future" and offered as the default,
    and for the days a pledge or survey takes part in, which end at midnight there: a
    deadline "until the end of 18 December" read in Los Angeles must not end at 16:00
    (UTC midnight), nor run on into the 19th in Tokyo. Never a stamp: stored actions use
    today()."""
    return timezone.localdate()


def zone_name() -> str:
    """The installation's zone for a sentence ("America/Los_Angeles"), or "" when it never
    said where it is (unset or UTC), where naming a zone would only puzzle a reader."""
    from django.conf import settings

    from .paper import UNPLACED_ZONES

    return "" if settings.TIME_ZONE in UNPLACED_ZONES else settings.TIME_ZONE

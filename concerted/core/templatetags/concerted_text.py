from __future__ import annotations

import datetime

from django import template
from django.utils import dateformat
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_default_timezone, localtime

from concerted.core import releases, text
from concerted.core.markdown import to_html

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Organizer-written Markdown, parsed without raw HTML and sanitized by nh3."""
    return mark_safe(to_html(str(text or "")))  # noqa: S308 (sanitized by nh3 just above)


@register.filter
def in_sentence(label: object) -> str:
    """A label as a word inside a sentence (core/text.py: lowercased except in German)."""
    return text.in_sentence(label)


@register.filter
def day_and_time(value: datetime.datetime | None) -> str:
    """A release moment as each language writes a day of the month and a time, in the
    installation's time zone (CONCERTED_TIME_ZONE): "2 December, 08:00 CET" read as
    "2 Dezember" in German (which writes "2. Dezember"), "2 diciembre" in Spanish ("2 de
    diciembre"). The zone is named: a reader elsewhere, or the same reader after a DST
    change, must not take it for their own clock."""
    if value is None:
        return ""
    value = localtime(value, get_default_timezone())
    return f"{date_format(value, 'MONTH_DAY_FORMAT')}, {dateformat.format(value, 'H:i')} {releases.zone_name(value)}"


@register.filter
def zone(value: datetime.datetime | None) -> str:
    """The installation's zone abbreviation at a release moment ("CET", "WEST"), to follow
    a time the `date` filter printed (it converts to that zone but doesn't name it)."""
    return releases.zone_name(value) if value is not None else ""


@register.filter
def in_language(text: object, language: str) -> str:
    """Campaign text inside a translated sentence, marked with the language it is written
    in (a unit's name in English on a Spanish page), so a screen reader reads it right."""
    return format_html('<span lang="{}">{}</span>', language, text) if language else str(text)

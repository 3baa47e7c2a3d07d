from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from concerted.core import text
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

"""The organizer's panel of a content's other language versions (core/translations.py)."""

from __future__ import annotations

from typing import Any

from django import template

from concerted.core import translations

register = template.Library()


@register.inclusion_tag("_translations_panel.html")
def translations_panel(subject: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "kind": translations.label(type(subject)),
        "main_language": translations.language_name(subject.main_language()),
        "languages": translations.states(subject),
    }


@register.inclusion_tag("_translation_note.html")
def translation_note(shown: Any) -> dict[str, Any]:
    """The visible note on a participant page whose text fell back to the main language."""
    return {"note": translations.note(shown), "lang": getattr(shown, "shown_language", "")}

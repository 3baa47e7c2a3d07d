"""Campaign content in several languages: one mechanism for every app.

A content model (petition, pledge, card text, survey with its questions and options,
demand) subclasses `Translatable` and lists its `TRANSLATED` fields. The organizer's
own text stays in those fields: it is the campaign's main language. Other languages
live in one JSON column on the same row,

    translations = {"es": {"title": "...", "body": "...", "_source": "<digest>"}}

where `_source` is a digest of the main text the translation was written from. Why on
the row and not in a table: a participant page already reads the row (one SELECT,
core/subjects.py), and the page cache keys on the row's values (core/pagecache.py),
so a new translation is served at once with no extra query and no extra invalidation.

The rules every app keeps, tested for every registered model through `models()`:
- a participant sees the active language's text when there is a current one, else
  the main text with a note saying so (`localize`);
- a translation written from an older main text is *outdated* and never shown: a
  coworker must not sign a Spanish text of a petition that has since changed. The
  organizer's page says which ones need checking; saving one again makes it current;
- a localized copy is for display only: saving it would write the translation over the
  main text, so `save()` refuses;
- once a subject's content is locked (`content_locked`: a petition that has been open,
  a pledge past draft, a published survey) no version in any language is added,
  changed or removed: a coworker signing in Spanish signs the Spanish text, so a new
  or changed version is a change of what people signed. Each model says when it
  locks, as its own edit page does; the organizer's form refuses (`LOCKED`);
- signatures and other records belong to the row, never to a language: the same
  person counts once whatever language they signed in, and the language is not stored
  with the record (DESIGN invariant 1, and the issue's rule that the language someone
  acted in narrows who they are).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import ReadableCharField

SOURCE = "_source"

# What the organizer reads where a locked subject's versions would be edited.
LOCKED = gettext_lazy(
    "This text is locked: it has been open to coworkers, and what they sign, pledge or answer must not "
    "change in any language. No language version can be added, changed or removed now."
)


class Translatable(models.Model):
    """Mixin for content an organizer may give in several languages."""

    TRANSLATED: ClassVar[tuple[str, ...]] = ()
    # Edited on a page of its own (False for parts edited with their subject).
    OWN_PAGE: ClassVar[bool] = True

    translations = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_localized_copy", False):
            raise TypeError("A localized copy is for display: saving it would overwrite the main text.")
        super().save(*args, **kwargs)

    # --- what each model says about itself --------------------------------------------------

    def main_language(self) -> str:
        """The campaign's main language: the one the organizer's own fields are in."""
        return self.campaign.language  # type: ignore[attr-defined]

    def campaign_id_for_access(self) -> Any:
        return self.campaign_id  # type: ignore[attr-defined]

    def organizer_url(self) -> str:
        """Where the organizer returns after saving a translation."""
        raise NotImplementedError

    def translation_parts(self) -> list[Translatable]:
        """Everything translated on one form with this object (a survey's questions and
        options); the object itself first."""
        return [self]

    def content_locked(self) -> bool:
        """Whether what participants sign, pledge or answer is fixed now, so that no
        language version may be added, changed or removed either. Each model decides
        as its own edit page does (a petition once open, a pledge past draft, a survey
        once published); tests/i18n/test_translation_locks.py makes every registered
        model's choice explicit. The default, never, is for content whose edit page
        doesn't lock: a card text is versioned and each card seals the text its signer
        saw; a demand stays editable on the board."""
        return False

    def lock_note(self) -> str:
        """The organizer's note on a locked subject's language panel, else ""."""
        return str(LOCKED) if self.content_locked() else ""

    # --- state -------------------------------------------------------------------------

    def source_digest(self) -> str:
        digest = hashlib.blake2b(digest_size=12)
        for name in self.TRANSLATED:
            digest.update(str(getattr(self, name) or "").encode())
            digest.update(b"\x00")
        return digest.hexdigest()

    def translation(self, language: str) -> dict[str, str] | None:
        """The current text in `language`, or None (none given, or outdated)."""
        entry = (self.translations or {}).get(language)
        if not isinstance(entry, dict) or entry.get(SOURCE) != self.source_digest():
            return None
        return {name: str(entry.get(name, "")) for name in self.TRANSLATED}

    def translation_state(self, language: str) -> str:
        """ "current", "outdated" or "missing"."""
        entry = (self.translations or {}).get(language)
        if not isinstance(entry, dict):
            return "missing"
        return "current" if entry.get(SOURCE) == self.source_digest() else "outdated"

    def set_translation(self, language: str, values: dict[str, str] | None) -> None:
        """Store (or with None remove) the text in `language`, written from the main text
        as it is now. The caller saves."""
        if language == self.main_language():
            raise ValueError("The main language's text is the object's own fields.")
        stored = dict(self.translations or {})
        if values is None:
            stored.pop(language, None)
        else:
            stored[language] = {
                **{name: values.get(name, "") for name in self.TRANSLATED},
                SOURCE: self.source_digest(),
            }
        self.translations = stored


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def registered() -> list[type[Translatable]]:
    """Every concrete translatable model, in a stable order (the registry-driven tests
    walk it): subclassing `Translatable` is what registers a model."""
    found = [m for m in apps.get_models() if issubclass(m, Translatable)]
    return sorted(found, key=lambda m: m._meta.label)


def model_for(key: str) -> type[Translatable] | None:
    """A model whose translations an organizer edits on a page of their own (not a
    survey's question, which is edited with its survey)."""
    for model in registered():
        if label(model) == key and model.OWN_PAGE:
            return model
    return None


# Languages that write language names in lower case inside a sentence ("en inglés",
# "em inglês"); English and German capitalize them ("in English", "auf Englisch").
LOWERCASE_LANGUAGE_NAMES = {"es", "pt"}


def language_name(code: str) -> str:
    """A language's name in the active language, as written inside a sentence ("inglés"
    on a Spanish page, "Englisch" on a German one)."""
    name = str(translation.get_language_info(code)["name_translated"])
    if (translation.get_language() or "en").split("-")[0] in LOWERCASE_LANGUAGE_NAMES:
        return name[:1].lower() + name[1:]
    return name


def other_languages(obj: Translatable) -> list[tuple[str, str]]:
    main = obj.main_language()
    return [(code, language_name(code)) for code, _name in settings.LANGUAGES if code != main]


# --- participant side ------------------------------------------------------------------------


def localize(obj: Any, language: str | None = None) -> Any:
    """A copy of `obj` showing the text in `language` (default: the active one), with
    `shown_language` (what the text is actually in) and `missing_language` (the one
    asked for when the text fell back to the main language, else "")."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    main = obj.main_language()
    shown = copy.copy(obj)
    shown._localized_copy = True
    shown.shown_language = main
    shown.missing_language = ""
    # The organizer's own text, for what must not depend on the language shown (a card
    # text's version hash).
    shown.main_text = {name: getattr(obj, name) for name in obj.TRANSLATED}
    if language != main:
        text = obj.translation(language)
        if text is None:
            shown.missing_language = language
        else:
            shown.shown_language = language
            for name, value in text.items():
                setattr(shown, name, value)
    return shown


def localize_together(objects: Iterable[Any], language: str | None, main: str) -> tuple[list[Any], Shown]:
    """Localized copies of several things shown on one page (a survey's questions and
    options, a ballot's demands): all in `language` when every one has a current
    version, else all in the main language (mixed languages read badly), with what
    `note` needs to say so."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    objects = list(objects)
    complete = language == main or all(
        obj.translation(language) is not None for obj in objects if any(getattr(obj, n) for n in obj.TRANSLATED)
    )
    use = language if complete else main
    return [localize(obj, use) for obj in objects], Shown(use, "" if complete else language)


@dataclasses.dataclass(frozen=True)
class Shown:
    shown_language: str
    missing_language: str


def note(shown: Any) -> str:
    """The visible note on a page whose text fell back to the main language."""
    if not getattr(shown, "missing_language", ""):
        return ""
    return _("This text is in %(main)s: there is no %(wanted)s version yet.") % {
        "main": language_name(shown.shown_language),
        "wanted": language_name(shown.missing_language),
    }


# --- organizer side --------------------------------------------------------------------------


def _field_name(index: int, name: str) -> str:
    return f"p{index}-{name}"


class TranslationForm(forms.Form):
    """The text of `obj` (and its parts) in one other language. A field is required when
    the main text has one, and is as long as the main field allows; the same readable-
    text check as every other form. Leaving every field empty removes the version."""

    def __init__(self, *args: Any, obj: Translatable, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obj = obj
        self.language = language
        self.parts = obj.translation_parts()
        self.rows: list[tuple[Translatable, list[tuple[str, Any, str]]]] = []
        for index, part in enumerate(self.parts):
            stored = (part.translations or {}).get(language) or {}
            fields = []
            for name in part.TRANSLATED:
                main_value = str(getattr(part, name) or "")
                if not main_value:
                    continue  # nothing to translate
                model_field = part._meta.get_field(name)
                multiline = isinstance(model_field, models.TextField)
                key = _field_name(index, name)
                self.fields[key] = ReadableCharField(
                    label=model_field.verbose_name,
                    max_length=model_field.max_length,
                    required=False,
                    multiline=multiline,
                    initial=stored.get(name, "") if isinstance(stored, dict) else "",
                    widget=forms.Textarea(attrs={"rows": 6 if multiline else 2}),
                    help_text=_("In %(main)s: %(text)s")
                    % {"main": language_name(obj.main_language()), "text": _excerpt(main_value)},
                )
                fields.append((name, self[key], main_value))
            self.rows.append((part, fields))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [key for key in self.fields if (cleaned.get(key) or "").strip()]
        if given:
            for key in self.fields:
                if key not in self.errors and not (cleaned.get(key) or "").strip():
                    self.add_error(key, _("Give this text too, or leave every field empty to remove this language."))
        return cleaned

    @property
    def removes(self) -> bool:
        return not any((self.cleaned_data.get(key) or "").strip() for key in self.fields)

    def save(self) -> None:
        if self.obj.content_locked():
            raise ValueError("The content is locked: its translations are fixed with it.")
        for index, part in enumerate(self.parts):
            if self.removes:
                part.set_translation(self.language, None)
            else:
                values = {name: self.cleaned_data.get(_field_name(index, name), "").strip() for name in part.TRANSLATED}
                part.set_translation(self.language, values)
            part.save(update_fields=["translations"])


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def states(obj: Translatable) -> list[dict[str, str]]:
    """Each other language with its state for the organizer's page: a subject with
    parts counts as current only when every part is."""
    rows = []
    parts = obj.translation_parts()
    for code, name in other_languages(obj):
        found = {part.translation_state(code) for part in parts if any(getattr(part, f) for f in part.TRANSLATED)}
        if found == {"current"}:
            state = "current"
        elif found <= {"missing"}:
            state = "missing"
        else:
            state = "outdated"
        rows.append({"code": code, "name": name, "state": state, "state_label": str(STATE_LABELS[state])})
    return rows


STATE_LABELS = {
    "current": gettext_lazy("Up to date"),
    "outdated": gettext_lazy("Needs checking: the main text changed since"),
    "missing": gettext_lazy("Not written yet"),
}


def apply_to_export(export: dict[str, Any], language: str) -> dict[str, Any]:
    """An export whose subject text is in `language` where the organizer gave a current
    version (see `for_export`); the deliverable PDF is then made from it."""
    parent = export.get("parent") or {}
    versions = parent.get("translations") or {}
    text = versions.get(language)
    if not isinstance(text, dict):
        return export
    return {**export, "parent": {**parent, **{k: v for k, v in text.items() if isinstance(v, str) and v}}}


def for_export(obj: Translatable, **extra: Any) -> dict[str, dict[str, str]]:
    """The current versions of `obj`'s text per language, for the sealed export (so the
    deliverable can be made in the addressee's language on the organizer's machine).
    `extra` maps an export key to a function making it from a localized copy (e.g. the
    card text with the employer's name filled in)."""
    out: dict[str, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        if code == obj.main_language() or obj.translation(code) is None:
            continue
        shown = localize(obj, code)
        out[code] = {name: str(getattr(shown, name)) for name in obj.TRANSLATED}
        for key, make in extra.items():
            out[code][key] = str(make(shown))
    return out

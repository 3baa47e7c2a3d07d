"""A locked subject's language versions are locked with it (core/translations.py).

A coworker whose page is in Spanish signs, pledges to or answers the Spanish text, so
adding, changing or removing a version is a change of what people signed. Every
registered translatable model says when its content is locked (`content_locked`), as
its own edit page does, and the one organizer form (core/views.py translation_edit)
refuses every edit of a locked subject, on GET and on POST. A model that subclasses
`Translatable` without an entry in LOCKS fails `test_every_translatable_model_says_
when_it_locks` until someone decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from concerted.core import translations

from .test_content_translations import FACTORIES, PARTS, TOP, _fill, _url


def _open_petition(petition: Any) -> None:
    petition.status = "open"
    petition.save(update_fields=["status"])


def _open_pledge(pledge: Any) -> None:
    pledge.status = "open"
    pledge.save(update_fields=["status"])


def _publish_survey(survey: Any) -> None:
    survey.status = "published"
    survey.save(update_fields=["status"])


# How a subject made by FACTORIES (a draft) gets locked, as its own edit page decides;
# or why its content never locks.
LOCKS: dict[str, Callable[[Any], None] | str] = {
    "petitions.petition": _open_petition,  # petition_edit: fixed once open or signed
    "pledges.pledge": _open_pledge,  # pledge_edit: the terms are fixed once it opens
    "surveys.survey": _publish_survey,  # question_edit: locked once published
    "surveys.question": "locked with its survey (translated on the survey's form)",
    "surveys.option": "locked with its survey (translated on the survey's form)",
    "cards.bargainingunit": (
        "never: unit_edit keeps the card text editable; each card records its version's hash and seals "
        "the exact text its signer saw, in the language they saw it"
    ),
    "bargaining.demand": "never: demand_edit keeps a demand editable on the board",
}
LOCKING = sorted(kind for kind in TOP if callable(LOCKS.get(kind)))
LOCKED_TEXT = "This text is locked: it has been open to coworkers"


def test_every_translatable_model_says_when_it_locks():
    assert {translations.label(m) for m in translations.registered()} == set(LOCKS)
    for part, subject in PARTS.items():
        assert callable(LOCKS[subject]), f"{part} is locked with {subject}, which must lock"
    # Every model answers for itself (the survey's parts ask their survey).
    for model in translations.registered():
        assert callable(model.content_locked)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_a_draft_is_not_locked(kind, campaign):
    obj = FACTORIES[kind](campaign)
    assert not any(part.content_locked() for part in obj.translation_parts())
    assert obj.lock_note() == ""


def _versions(obj: Any) -> list[Any]:
    fresh = type(obj).objects.get(pk=obj.pk)
    return [part.translations for part in fresh.translation_parts()]


def _refused(client: Any, obj: Any, language: str, data: dict[str, str]) -> None:
    page = client.get(_url(obj, language))
    assert page.status_code == 200
    html = page.content.decode()
    assert LOCKED_TEXT in html
    assert 'name="p0-' not in html and "Save this version" not in html
    response = client.post(_url(obj, language), data)
    assert response.status_code == 403
    assert LOCKED_TEXT in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LOCKING)
@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_it_refuses_every_translation_edit_once_locked(kind, who, campaign, as_user):
    client = as_user(who)
    obj = FACTORIES[kind](campaign)
    # Written while a draft: allowed.
    assert client.post(_url(obj, "es"), _fill(obj, "es")).status_code == 302
    LOCKS[kind](obj)  # type: ignore[operator]
    obj = type(obj).objects.get(pk=obj.pk)
    assert all(part.content_locked() for part in obj.translation_parts())
    before = _versions(obj)

    changed = {key: f"{value} (rewritten)" for key, value in _fill(obj, "es").items()}
    _refused(client, obj, "es", changed)  # changing a version
    _refused(client, obj, "pt", _fill(obj, "pt"))  # adding one: Portuguese signers would sign it
    _refused(client, obj, "es", {key: "" for key in changed})  # removing one
    assert _versions(obj) == before
    assert all(part.translation_state("es") == "current" for part in obj.translation_parts())

    # The organizer's page lists the versions without offering to edit them.
    page = client.get(obj.organizer_url()).content.decode()
    assert LOCKED_TEXT in page
    assert "/o/translations/" not in page

    # The form itself refuses too, whoever calls it.
    form = translations.TranslationForm(_fill(obj, "de"), obj=obj, language="de")
    assert form.is_valid()
    with pytest.raises(ValueError, match="locked"):
        form.save()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_the_form_asks_every_model_whether_it_is_locked(kind, campaign, as_user, monkeypatch):
    """The refusal lives in the core, so a model that locks is covered without its app
    doing anything more than answer `content_locked`."""
    obj = FACTORIES[kind](campaign)
    monkeypatch.setattr(type(obj), "content_locked", lambda self: True)
    _refused(as_user("owner"), obj, "es", _fill(obj, "es"))
    assert _versions(obj) == [{} for _part in obj.translation_parts()]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LOCKING)
def test_strangers_still_get_nothing_from_a_locked_subject(kind, campaign, as_user):
    obj = FACTORIES[kind](campaign)
    LOCKS[kind](obj)  # type: ignore[operator]
    assert as_user("outsider").get(_url(obj, "es")).status_code == 404
    assert as_user("outsider").post(_url(obj, "es"), _fill(obj, "es")).status_code == 404
    anonymous = as_user("anonymous").get(_url(obj, "es"))
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]


@pytest.mark.django_db
def test_the_testers_pledge_and_survey_stay_as_pledged_and_published(campaign, as_user):
    """The two bypasses found: a new promise on an active pledge, new questions on a
    published survey, both through "Other languages"."""
    from django.test import Client
    from django.utils import translation

    pledge = FACTORIES["pledges.pledge"](campaign)
    pledge.status = "active"
    pledge.save(update_fields=["status"])
    data = _fill(pledge, "es")
    data = {key: "Prometo lo contrario." if key.endswith("-promise") else value for key, value in data.items()}
    assert as_user("owner").post(_url(pledge, "es"), data).status_code == 403
    with translation.override("es"):
        page = Client().get(reverse("pledges:pledge", args=[pledge.slug])).content.decode()
    assert "Prometo lo contrario." not in page

    survey = FACTORIES["surveys.survey"](campaign)
    _publish_survey(survey)
    assert as_user("owner").post(_url(survey, "es"), _fill(survey, "es")).status_code == 403
    assert all(part.translation_state("es") == "missing" for part in survey.translation_parts())

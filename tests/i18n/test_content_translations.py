"""Campaign content in several languages (core/translations.py).

The rules run on every registered translatable model through the registry: a model
that subclasses `Translatable` without a factory here fails `test_it_has_a_factory_
for_every_translatable_model`. Then the participant pages, the counting rule (one
signature whatever language it was signed in), the card's version hash and the
deliverable PDF in the addressee's language."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from concerted.core import keys, translations

SPANISH_PETITION = {
    "title": "Fin del rastreo de teclas",
    "body": "Pedimos que la dirección apague el rastreador. Años de trabajo no se miden en pulsaciones.",
    "addressee": "Dirección de Acme España",
}


# --- one subject of every top-level translatable model --------------------------------------
# Each is made as an organizer still writes it (a draft): once coworkers may have seen
# it, its versions are locked with it (test_translation_locks.py).


def _petition(campaign: Any) -> Any:
    from concerted.petitions.models import Petition

    return Petition.objects.create(
        campaign=campaign, title="Stop tracking", body="Switch it off.", addressee="Acme", status="draft"
    )


def _pledge(campaign: Any) -> Any:
    from concerted.pledges.models import Pledge

    return Pledge.objects.create(
        campaign=campaign,
        title="Refuse the tracker",
        promise="I will not install it.",
        threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=9),
        status="draft",
    )


def _unit(campaign: Any) -> Any:
    from concerted.cards.models import BargainingUnit

    return BargainingUnit.objects.create(
        campaign=campaign,
        name="Engineering",
        employer="Acme GmbH",
        union="ver.di",
        size=20,
        card_text="I authorize {union} to represent me with {employer}.",
        status="open",
    )


def _survey(campaign: Any) -> Any:
    from concerted.surveys.models import Option, Question, Survey

    survey = Survey.objects.create(campaign=campaign, title="Workload", intro="Tell us.", status="draft")
    q = Question.objects.create(survey=survey, position=0, kind="single", text="How busy are you?")
    Option.objects.create(question=q, position=0, label="Very")
    Option.objects.create(question=q, position=1, label="Not much")
    Question.objects.create(survey=survey, position=1, kind="number", text="Hours a week?", help="Roughly")
    return survey


def _demand(campaign: Any) -> Any:
    from concerted.bargaining.models import Demand, Kit

    kit, _made = Kit.objects.get_or_create(campaign=campaign, defaults={"voting_open": True})
    return Demand.objects.create(kit=kit, title="No AI firing", text="A human decides.", status="ballot")


FACTORIES: dict[str, Callable[[Any], Any]] = {
    "petitions.petition": _petition,
    "pledges.pledge": _pledge,
    "cards.bargainingunit": _unit,
    "surveys.survey": _survey,
    "bargaining.demand": _demand,
}
# Edited with their subject, not on a page of their own.
PARTS = {"surveys.question": "surveys.survey", "surveys.option": "surveys.survey"}

TOP = sorted(FACTORIES)


def test_it_has_a_factory_for_every_translatable_model():
    found = {translations.label(m) for m in translations.registered()}
    assert found == set(FACTORIES) | set(PARTS)
    for model in translations.registered():
        assert model.OWN_PAGE == (translations.label(model) in FACTORIES)


def _fill(obj: Any, language: str) -> dict[str, str]:
    """Every main field with a text, as a translation POST (p<index>-<field>)."""
    data = {}
    for index, part in enumerate(obj.translation_parts()):
        for name in part.TRANSLATED:
            if getattr(part, name):
                data[f"p{index}-{name}"] = f"[{language}] {getattr(part, name)} ñ"
    return data


# --- the rules, for every registered model ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_it_shows_a_current_version_and_falls_back_otherwise(kind, campaign):
    obj = FACTORIES[kind](campaign)
    name = next(n for n in obj.TRANSLATED if getattr(obj, n))
    main_text = getattr(obj, name)
    obj.set_translation("es", {n: f"es {getattr(obj, n)}" for n in obj.TRANSLATED})
    obj.save()

    shown = translations.localize(obj, "es")
    assert getattr(shown, name) == f"es {main_text}"
    assert shown.shown_language == "es" and shown.missing_language == ""
    assert translations.note(shown) == ""

    shown = translations.localize(obj, "de")
    assert getattr(shown, name) == main_text
    assert (shown.shown_language, shown.missing_language) == ("en", "de")
    with translation.override("en"):
        assert translations.note(shown) == "This text is in English: there is no German version yet."

    # The main text changes: the Spanish version was written from the old one, so it is
    # never shown until an organizer saves it again.
    type(obj).objects.filter(pk=obj.pk).update(**{name: main_text + " (changed)"})
    obj.refresh_from_db()
    assert obj.translation_state("es") == "outdated"
    shown = translations.localize(obj, "es")
    assert getattr(shown, name) == main_text + " (changed)"
    assert shown.missing_language == "es"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_it_refuses_to_save_a_localized_copy(kind, campaign):
    obj = FACTORIES[kind](campaign)
    obj.set_translation("es", {n: f"es {getattr(obj, n)}" for n in obj.TRANSLATED})
    obj.save()
    shown = translations.localize(obj, "es")
    with pytest.raises(TypeError, match="overwrite the main text"):
        shown.save()
    with pytest.raises(ValueError):
        obj.set_translation(obj.main_language(), {})


def _url(obj: Any, language: str) -> str:
    return reverse("translation_edit", args=[translations.label(type(obj)), obj.pk, language])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_it_saves_a_version_from_the_organizer_form(kind, campaign, as_user):
    obj = FACTORIES[kind](campaign)
    client = as_user("owner")
    page = client.get(_url(obj, "pt"))
    assert page.status_code == 200
    assert "Portuguese" in page.content.decode()
    data = _fill(obj, "pt")
    response = client.post(_url(obj, "pt"), data)
    assert response.status_code == 302
    assert response["Location"] == obj.organizer_url()
    fresh = type(obj).objects.get(pk=obj.pk)
    for part in fresh.translation_parts():
        assert part.translation_state("pt") == "current"
    shown = translations.localize(fresh, "pt")
    first = next(n for n in fresh.TRANSLATED if getattr(fresh, n))
    assert getattr(shown, first) == f"[pt] {getattr(fresh, first)} ñ"
    # The edit page lists the language as up to date.
    assert "Up to date" in client.get(fresh.organizer_url()).content.decode()

    # Every field emptied: the version is removed.
    response = client.post(_url(obj, "pt"), {key: "" for key in data})
    assert response.status_code == 302
    fresh = type(obj).objects.get(pk=obj.pk)
    assert all(part.translation_state("pt") == "missing" for part in fresh.translation_parts())


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_it_keeps_typed_text_and_says_what_is_missing(kind, campaign, as_user):
    obj = FACTORIES[kind](campaign)
    client = as_user("owner")
    data = _fill(obj, "de")
    first, *rest = data
    data[first] = "Übersetzung mit ß"
    for key in rest:
        data[key] = ""
    if rest:
        response = client.post(_url(obj, "de"), data)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Give this text too, or leave every field empty to remove this language." in body
        assert "Übersetzung mit ß" in body
    data = {**_fill(obj, "de"), first: "bad \x07 bell"}
    response = client.post(_url(obj, "de"), data)
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    assert all(p.translation_state("de") == "missing" for p in type(obj).objects.get(pk=obj.pk).translation_parts())
    # Longer than the main field allows.
    model_field = obj._meta.get_field(first.split("-", 1)[1])
    if model_field.max_length:
        response = client.post(_url(obj, "de"), {**_fill(obj, "de"), first: "x" * (model_field.max_length + 1)})
        assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TOP)
def test_it_keeps_the_form_to_the_campaigns_organizers(kind, campaign, as_user):
    obj = FACTORIES[kind](campaign)
    assert as_user("outsider").get(_url(obj, "es")).status_code == 404
    assert as_user("outsider").post(_url(obj, "es"), _fill(obj, "es")).status_code == 404
    anonymous = as_user("anonymous").get(_url(obj, "es"))
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]
    assert as_user("owner").put(_url(obj, "es")).status_code == 405
    # The main language has no form: it is the object's own fields.
    assert as_user("owner").get(_url(obj, "en")).status_code == 404
    assert as_user("owner").get(_url(obj, "xx")).status_code == 404
    assert obj.translations == {}


@pytest.mark.django_db
def test_a_part_has_no_page_of_its_own(campaign, as_user):
    survey = _survey(campaign)
    question = survey.ordered_questions()[0]
    url = reverse("translation_edit", args=["surveys.question", survey.pk, "es"])
    assert as_user("owner").get(url).status_code == 404
    assert question.main_language() == "en"


# --- participant pages -----------------------------------------------------------------------


def _translate(obj: Any, language: str, values: dict[str, str] | None = None) -> None:
    for part in obj.translation_parts():
        part.set_translation(
            language,
            values if part is obj and values else {n: f"{language}: {getattr(part, n)}" for n in part.TRANSLATED},
        )
        part.save()


@pytest.mark.django_db
def test_a_coworker_sees_the_petition_in_their_language_or_a_note(petition):
    _translate(petition, "es", SPANISH_PETITION)
    client = Client()
    with translation.override("es"):
        url = reverse("petitions:sign", args=[petition.slug])
    body = client.get(url).content.decode()
    assert url.startswith("/es/")
    assert "Fin del rastreo de teclas" in body
    assert "Años de trabajo" in body
    assert 'lang="es"' in body
    assert "translation-note" not in body

    with translation.override("de"):
        url = reverse("petitions:sign", args=[petition.slug])
    body = client.get(url).content.decode()
    assert petition.title in body and "Fin del rastreo" not in body
    assert 'class="notice translation-note"' in body
    assert "Dieser Text ist auf Englisch" in body  # the note itself is in the page's language
    assert '<h1 lang="en">' in body


@pytest.mark.django_db
def test_a_new_version_shows_at_once_on_a_cached_page(petition):
    client = Client()
    with translation.override("es"):
        url = reverse("petitions:sign", args=[petition.slug])
    assert "translation-note" in client.get(url).content.decode()
    assert "translation-note" in client.get(url).content.decode()  # now from the page cache
    _translate(petition, "es", SPANISH_PETITION)
    body = client.get(url).content.decode()
    assert "Fin del rastreo de teclas" in body and "translation-note" not in body


def _post_sign(client: Client, petition: Any, language: str, name: str) -> Any:
    with translation.override(language):
        url = reverse("petitions:sign", args=[petition.slug])
    client.get(url)
    data = {"name": name, "contact": "maria@example.org", "comment": "", "consent_named": "on"}
    response = client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(f"/{language}/")
    return response


@pytest.mark.django_db
def test_the_same_person_signing_in_two_languages_counts_once(tmp_path, petition, owner, private_key):
    """Signatures belong to the petition, never to a language: the Spanish and the
    English page add to the same count, the committee finds the repeat on its own
    machine, and nothing in the row or the sealed record says which page it came from."""
    from concerted.petitions import stats
    from concerted.petitions.models import Signature

    _translate(petition, "es", SPANISH_PETITION)
    _post_sign(Client(), petition, "es", "María Núñez")
    _post_sign(Client(), petition, "en", "María Núñez")
    assert Signature.objects.filter(petition=petition).count() == 2
    sign_four_more_named(petition)  # names are printed once at least five agreed
    assert stats.public_progress(petition)[0].total >= 0  # one parent, one set of figures

    # No language anywhere in the rows: the two are the same shape.
    rows = list(Signature.objects.filter(petition=petition).values())
    assert {k for k in rows[0] if "lang" in k} == set()

    key_file = tmp_path / "committee.key"
    key_file.write_text(keys.format_private(private_key))
    client = Client()
    client.force_login(owner)
    export = tmp_path / "export.json"
    export.write_bytes(client.get(reverse("petitions:export", args=[petition.pk])).content)
    out = io.StringIO()
    call_command("reveal", key=str(key_file), file=str(export), out=str(tmp_path / "out"), stdout=out)
    assert "Different people: 5" in out.getvalue()
    csv_text = (tmp_path / "out" / f"petitions-{petition.slug}.csv").read_text(encoding="utf-8")
    header = csv_text.splitlines()[0]
    assert "lang" not in header
    assert ",es," not in csv_text and ",en," not in csv_text
    text = _pdf_text(tmp_path / "out" / f"petitions-{petition.slug}.pdf")
    assert text.count("María Núñez") == 1


def sign_four_more_named(petition) -> None:
    """Four more signers who agreed to be named: a deliverable names nobody until five
    have (core/reveal.py: deliverable_names)."""
    from concerted.petitions.signing import sign

    for n, name in enumerate(["Ana Ortega", "Bo Lind", "Chidi Okafor", "Dana Kim"]):
        sign(petition, {"name": name, "contact": f"other{n}@example.org", "comment": "", "consent_named": True})


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.django_db
def test_the_deliverable_is_made_in_the_addressees_language(tmp_path, petition, owner, private_key):
    from concerted.petitions.signing import sign

    _translate(petition, "es", SPANISH_PETITION)
    sign(petition, {"name": "Zoë Ñúñez", "contact": "", "comment": "", "consent_named": True})
    sign_four_more_named(petition)  # names are printed once at least five agreed
    key_file = tmp_path / "committee.key"
    key_file.write_text(keys.format_private(private_key))
    client = Client()
    client.force_login(owner)
    export = tmp_path / "export.json"
    export.write_bytes(client.get(reverse("petitions:export", args=[petition.pk])).content)
    assert json.loads(export.read_text())["parent"]["translations"]["es"]["title"] == SPANISH_PETITION["title"]

    call_command(
        "reveal", key=str(key_file), file=str(export), out=str(tmp_path / "es"), language="es", stdout=io.StringIO()
    )
    text = _pdf_text(tmp_path / "es" / f"petitions-{petition.slug}.pdf")
    assert "Fin del rastreo de teclas" in text
    assert "Años de trabajo" in text
    assert "Dirección de Acme España" in text
    assert "Zoë Ñúñez" in text
    assert petition.title not in text

    # No German version: the interface words are German, the petition's text the main one.
    call_command(
        "reveal", key=str(key_file), file=str(export), out=str(tmp_path / "de"), language="de", stdout=io.StringIO()
    )
    text = _pdf_text(tmp_path / "de" / f"petitions-{petition.slug}.pdf")
    assert petition.title in text and "Fin del rastreo" not in text

    # Default: the campaign's main language.
    call_command("reveal", key=str(key_file), file=str(export), out=str(tmp_path / "en"), stdout=io.StringIO())
    assert petition.title in _pdf_text(tmp_path / "en" / f"petitions-{petition.slug}.pdf")


@pytest.mark.django_db
def test_a_card_signed_in_spanish_keeps_the_versions_hash(campaign, private_key):
    """The row's clear text hash is the version's (the main text), the same in every
    language, so the server can't tell which language a card was signed in; the exact
    Spanish text the signer saw is sealed, with its own hash."""
    from concerted.cards import signing
    from concerted.cards.deliverable import card_problems
    from concerted.cards.models import text_hash
    from concerted.core.sealing import open_sealed

    unit = _unit(campaign)
    _translate(unit, "es", {"card_text": "Autorizo a {union} a representarme ante {employer}."})
    cleaned = {
        "full_name": "Íñigo Peña",
        "employer": "Acme GmbH",
        "job_classification": "Dev",
        "phone": "+34 600 000 000",
        "email": "",
        "signature": "Íñigo Peña",
        "consent": True,
    }
    in_spanish = signing.sign_card(translations.localize(unit, "es"), cleaned).card
    in_english = signing.sign_card(translations.localize(unit, "en"), cleaned).card
    assert in_spanish.text_hash == in_english.text_hash == unit.card_text_hash()
    opened = open_sealed(private_key, bytes(in_spanish.sealed), kind=in_spanish.KIND, ids=in_spanish.envelope_ids())
    row = {**opened, "text_hash": in_spanish.text_hash, "day": in_spanish.day.isoformat()}
    assert opened["card_text"] == "Autorizo a ver.di a representarme ante Acme GmbH."
    assert opened["card_text_sha256"] == text_hash(opened["card_text"])
    assert card_problems(row) == []
    # A forged version hash is still caught.
    assert card_problems({**row, "text_hash": "0" * 64})


@pytest.mark.django_db
def test_a_survey_shows_in_one_language(campaign):
    from concerted.surveys.models import Survey

    survey = _survey(campaign)
    _translate(survey, "pt")
    Survey.objects.filter(pk=survey.pk).update(status="published")
    client = Client()
    with translation.override("pt"):
        url = reverse("surveys:answer", args=[survey.slug])
    body = client.get(url).content.decode()
    assert "pt: How busy are you?" in body and "pt: Not much" in body and "pt: Workload" in body
    assert "translation-note" not in body

    # One option's main text changes: its version is outdated, so the whole survey
    # shows in the main language with the note rather than in two languages. (Questions
    # are locked once published; an option saved by any path bumps the campaign's
    # public version, so the cached page is made again: surveys/apps.py.)
    from concerted.surveys.models import Option

    option = Option.objects.get(label="Very")
    option.label = "Very busy"
    option.save()
    body = Client().get(url).content.decode()
    assert "How busy are you?" in body and "pt: How busy" not in body and "Very busy" in body
    assert "translation-note" in body


@pytest.mark.django_db
def test_a_ballot_shows_the_demands_in_the_page_language(campaign):
    demand = _demand(campaign)
    _translate(demand, "de", {"title": "Keine KI-Kündigung", "text": "Ein Mensch entscheidet über Schließung."})
    with translation.override("de"):
        url = reverse("bargaining:vote", args=[demand.kit.slug])
    body = Client().get(url).content.decode()
    assert "Keine KI-Kündigung" in body and "translation-note" not in body
    with translation.override("es"):
        url = reverse("bargaining:vote", args=[demand.kit.slug])
    body = Client().get(url).content.decode()
    assert "No AI firing" in body and "translation-note" in body


@pytest.mark.django_db
def test_a_group_name_keeps_its_capital_inside_a_german_sentence(petition):
    """German capitalizes nouns: "Deine Gruppe (Team, …)", never "(team, …)"; English
    lowercases the label inside its sentence."""
    from concerted.core.text import in_sentence

    pages = {}
    for language in ("de", "en"):
        with translation.override(language):
            pages[language] = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "(Team, freiwillig)" in pages["de"] and "(team, freiwillig)" not in pages["de"]
    assert "Your team (optional)" in pages["en"]
    with translation.override("de"):
        assert in_sentence("Petition") == "Petition"
    with translation.override("es"):
        assert in_sentence("Petición") == "petición"

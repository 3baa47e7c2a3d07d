"""Every PDF keeps a real text layer in every language: pypdf extracts the words with
their accents and ß, ç, ñ intact (the fonts embed those glyphs), and the fixed words
come from the language the PDF is written in (month names from Django's own locale
data; the rest from our catalogs)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from concerted.bargaining import brief
from concerted.bargaining.models import Demand, Kit
from concerted.core import keys
from concerted.flyers import pdf as flyer_pdf
from concerted.flyers import targets
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db

# Words in each language with the letters a Latin-1-only or ASCII font would drop.
WORDS = {
    "es": ("¡Apaguen el rastreador de teclas, señora Muñoz!", "Íñigo Peña Castaño"),
    "de": ("Schluss mit der Überwachung: Weiß & Söhne müssen zuhören", "Jürgen Weiß-Größe"),
    "pt": ("Não à vigilância: a direção tem de ouvir a comissão", "Inês Conceição Gonçalves"),
    "en": ("Switch the keystroke tracker off", "Zoë Ødegård"),
}


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize("language", ["es", "de", "pt"])
def test_the_flyer_is_in_the_campaigns_language_with_its_letters_intact(petition, language):
    title, _name = WORDS[language]
    petition.campaign.language = language
    petition.campaign.save()
    petition.title = title
    petition.body = title
    petition.save()
    flyer = targets.lookup("petition", petition.pk)
    assert flyer is not None
    assert flyer.public_url.endswith(f"/{language}/p/{petition.slug}/")  # the QR code's address
    text = text_of(flyer_pdf.build(flyer, "a4"))
    assert title in text
    assert f"/{language}/p/{petition.slug}/" in text.replace(" ", "")


@pytest.mark.parametrize("language", ["es", "de", "pt"])
def test_the_deliverable_is_in_the_addressees_language(petition, owner, private_key, tmp_path, language):
    title, name = WORDS[language]
    petition.title = title
    petition.save()
    sign(petition, {"name": name, "consent_named": True})
    for i in range(4):  # names are printed once at least 5 agreed to be named (safety in numbers)
        sign(petition, {"name": f"Named Coworker {i}", "consent_named": True})
    client = Client()
    client.force_login(owner)
    export = client.get(reverse("petitions:export", args=[petition.pk]))
    assert export.status_code == 200
    assert json.loads(export.content)["campaign"]["language"] == "en"  # the campaign's main language
    (tmp_path / "export.json").write_bytes(export.content)
    (tmp_path / "committee.key").write_text(keys.format_private(private_key))
    out = tmp_path / language
    call_command(
        "reveal",
        key=str(tmp_path / "committee.key"),
        file=str(tmp_path / "export.json"),
        out=str(out),
        language=language,
        stdout=io.StringIO(),
    )
    text = text_of(next(out.glob("*.pdf")).read_bytes())
    assert title in text and name in text
    with translation.override(language):
        assert date_format(datetime.date.today()) in text  # "1 de diciembre de 2026", "1. Dezember 2026"


@pytest.mark.parametrize("language", ["es", "de", "pt"])
def test_the_brief_keeps_its_letters_in_every_language(campaign, language):
    title, name = WORDS[language]
    kit = Kit.objects.create(campaign=campaign)
    Demand.objects.create(kit=kit, title=title, text=f"{title} — {name}", status="open", chosen=True)
    with translation.override(language):
        text = text_of(brief.build(kit, today=datetime.date(2026, 3, 1)))
        month = date_format(datetime.date(2026, 3, 1), "F")
    assert title in text and name in text
    assert month in text  # marzo, März, março

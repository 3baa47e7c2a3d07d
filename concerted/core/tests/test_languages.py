"""Choosing a language leaves no trace (DESIGN, invariant 3: no metadata trail): the
language is in the address only; no cookie is set or read for it; what someone signs
is stored the same whatever language they read; an address without a prefix (printed
before languages existed) still works, in the browser's language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db


def lang_of(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_it_serves_each_language_from_its_prefix(petition):
    for code, _name in settings.LANGUAGES:
        response = Client().get(f"/{code}/p/{petition.slug}/")
        assert response.status_code == 200
        assert lang_of(response) == code
        assert response["Content-Language"] == code


def test_an_address_without_a_prefix_follows_accept_language(petition):
    response = Client().get(f"/p/{petition.slug}/", HTTP_ACCEPT_LANGUAGE="pt-PT,pt;q=0.9,en;q=0.5")
    assert response.status_code == 200 and lang_of(response) == "pt"
    assert "Accept-Language" in response["Vary"]
    assert 'href="/pt/privacy/"' in response.content.decode()  # from here on, links carry the language
    assert lang_of(Client().get(f"/p/{petition.slug}/", HTTP_ACCEPT_LANGUAGE="fr-FR")) == "en"
    assert lang_of(Client().get(f"/p/{petition.slug}/")) == "en"


def test_the_switch_links_to_the_same_page_in_each_language(petition):
    page = Client().get(f"/de/p/{petition.slug}/?code=abc").content.decode()
    switch = re.search(r'<nav class="languages".*?</nav>', page, re.S).group(0)
    for code, name in settings.LANGUAGES:
        assert f'href="/{code}/p/{petition.slug}/?code=abc" lang="{code}" hreflang="{code}"' in switch
        assert name in switch
    assert 'aria-current="true">Deutsch' in switch
    assert "<form" not in switch  # plain links, never a form that posts a choice


def test_a_language_choice_sets_no_cookie_and_reads_none(petition):
    client = Client()
    for code, _name in settings.LANGUAGES:
        response = client.get(f"/{code}/p/{petition.slug}/")
        assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}, response.cookies
    # A cookie planted by someone else decides nothing either.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.get(f"/p/{petition.slug}/", HTTP_ACCEPT_LANGUAGE="es")
    assert lang_of(response) == "es"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_signature_is_stored_the_same_in_every_language(petition):
    rows = []
    for code, _name in settings.LANGUAGES:
        client = Client()
        response = client.post(f"/{code}/p/{petition.slug}/", {"name": "Same Person"})
        assert response.status_code == 302 and response["Location"].startswith(f"/{code}/p/")
        assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
    for signature in Signature.objects.filter(petition=petition):
        row = {k: v for k, v in vars(signature).items() if not k.startswith("_")}
        rows.append(row)
    assert len(rows) == 4
    # The same columns, the same kind of values: nothing says which language signed.
    assert len({tuple(sorted(r)) for r in rows}) == 1
    assert len({len(bytes(r["sealed"])) for r in rows}) == 1  # padded blobs of one size
    assert len({r["day"] for r in rows}) == 1

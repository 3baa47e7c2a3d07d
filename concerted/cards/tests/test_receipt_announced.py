"""The card receipt pages as a screen reader and a low-vision phone user meet them: a
wrong code is shown back in a lookup box right there (nothing to retype) with its error
announced, the page says the same for a revoked, unknown or malformed code, and the
receipt page labels its code and spells it out under one h1."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from .conftest import sign_card

pytestmark = pytest.mark.django_db

ERROR_BOX = '<div class="error-box" role="alert" tabindex="-1" autofocus id="code_error">'


def _code(unit) -> str:
    return re.search(r"/r/([A-Z2-7]{26})/", sign_card(unit)["Location"]).group(1)


def test_it_keeps_a_wrong_code_in_the_lookup_box_and_announces_the_error(unit):
    revoked = _code(unit)
    assert Client().post(reverse("cards:revoke", args=[unit.slug, revoked]), {"confirm": "yes"}).status_code == 200
    lookup = reverse("cards:receipt_lookup", args=[unit.slug])
    pages = set()
    for typed in (revoked, "A" * 26, '<b>"x" & y'):
        response = Client().get(lookup, {"code": typed})
        assert response.status_code == 404
        html = response.content.decode()
        assert ERROR_BOX in html
        assert f'<input id="code" name="code" value="{escape(typed)}"' in html
        assert 'aria-invalid="true" aria-describedby="code_error"' in html
        assert f'action="{lookup}"' in html
        assert "<b>" not in html.split("<main", 1)[1]
        # No oracle: a revoked, unknown or malformed code gets the same page but for the
        # echo (the language links keep the query, as on every page).
        pages.add(html.replace(escape(typed), "TYPED").replace(urlencode({"code": typed}), "code=TYPED"))
    assert len(pages) == 1


def test_a_link_to_an_unknown_receipt_shows_its_code_in_the_lookup_box(unit):
    response = Client().get(reverse("cards:receipt", args=[unit.slug, "B" * 26]))
    assert response.status_code == 404
    assert f'value="{"B" * 26}"' in response.content.decode() and ERROR_BOX in response.content.decode()


def test_the_receipt_page_labels_its_code_spells_it_and_has_one_h1(unit):
    location = sign_card(unit)["Location"]
    for url in (location, location.split("?")[0]):
        html = Client().get(url).content.decode()
        code = re.search(r"/r/([A-Z2-7]{26})/", url).group(1)
        shown = "-".join(code[i : i + 4] for i in range(0, 26, 4))
        assert html.count("<h1") == 1
        assert f'<p class="receipt-code">Receipt code <code aria-hidden="true">{shown}</code>' in html
        spelled = re.search(r'<span class="sr-only">(.*?)</span></p>', html, re.S).group(1)
        assert " ".join(spelled.split()) == ", ".join(" ".join(group) for group in shown.split("-"))
        assert 'class="receipt-code" aria-label' not in html
        assert f"<h2>Union card: {unit.union}</h2>" in html
    # The card's own page keeps its title as its h1.
    assert (
        f"<h1>Union card: {unit.union}</h1>" in Client().get(reverse("cards:sign", args=[unit.slug])).content.decode()
    )

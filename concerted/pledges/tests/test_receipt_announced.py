"""The pledge receipt pages as a screen reader and a low-vision phone user meet them: a
wrong code is shown back in a lookup box right there (nothing to retype) with its error
announced, the page says the same for a withdrawn, unknown or malformed code, and the
receipt page labels its code and spells it out under one h1."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from .conftest import pledge_post, receipt_code

pytestmark = pytest.mark.django_db

ERROR_BOX = '<div class="error-box" role="alert" tabindex="-1" autofocus id="code_error">'


def test_it_keeps_a_wrong_code_in_the_lookup_box_and_announces_the_error(pledge):
    withdrawn = receipt_code(pledge_post(pledge))
    assert (
        Client().post(reverse("pledges:withdraw", args=[pledge.slug, withdrawn]), {"confirm": "yes"}).status_code == 200
    )
    lookup = reverse("pledges:receipt_lookup", args=[pledge.slug])
    pages = set()
    for typed in (withdrawn, "A" * 26, '<b>"x" & y'):
        response = Client().get(lookup, {"code": typed})
        assert response.status_code == 404
        html = response.content.decode()
        assert ERROR_BOX in html
        assert f'<input id="code" name="code" value="{escape(typed)}"' in html
        assert 'aria-invalid="true" aria-describedby="code_error"' in html
        assert f'action="{lookup}"' in html
        assert "<b>" not in html.split("<main", 1)[1]
        # No oracle: a withdrawn, unknown or malformed code gets the same page but for the
        # echo (the language links keep the query, as on every page).
        pages.add(html.replace(escape(typed), "TYPED").replace(urlencode({"code": typed}), "code=TYPED"))
    assert len(pages) == 1


def test_a_link_to_an_unknown_receipt_shows_its_code_in_the_lookup_box(pledge):
    for response in (
        Client().get(reverse("pledges:receipt", args=[pledge.slug, "B" * 26])),
        Client().post(reverse("pledges:withdraw", args=[pledge.slug, "B" * 26]), {"confirm": "yes"}),
    ):
        assert response.status_code == 404
        assert f'value="{"B" * 26}"' in response.content.decode() and ERROR_BOX in response.content.decode()


def test_the_receipt_page_labels_its_code_spells_it_and_has_one_h1(pledge):
    location = pledge_post(pledge)["Location"]
    for url in (location, location.split("?")[0]):
        html = Client().get(url).content.decode()
        code = re.search(r"/r/([A-Z2-7]{26})/", url).group(1)
        shown = "-".join(code[i : i + 4] for i in range(0, 26, 4))
        assert html.count("<h1") == 1
        assert f'<p class="receipt-code">Receipt code <code aria-hidden="true">{shown}</code>' in html
        spelled = re.search(r'<span class="sr-only">(.*?)</span></p>', html, re.S).group(1)
        assert " ".join(spelled.split()) == ", ".join(" ".join(group) for group in shown.split("-"))
        assert 'class="receipt-code" aria-label' not in html
        assert re.search(rf"<h2[^>]*>{pledge.title}</h2>", html)
    # The pledge's own page keeps its title as its h1.
    assert re.search(
        rf"<h1[^>]*>{pledge.title}</h1>", Client().get(reverse("pledges:pledge", args=[pledge.slug])).content.decode()
    )

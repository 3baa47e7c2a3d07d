"""The receipt pages of every kind with receipts (petition signatures, pledges, union
cards) as a screen reader and a low-vision phone user meet them: a wrong code is shown
back in a lookup box right there (nothing to retype) with its error announced, the page
says the same for a withdrawn, unknown or malformed code, and the receipt page labels its
code and spells it out under one h1. One registry, one set of tests: copies drift."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from concerted.cards.tests.conftest import sign_card, unit  # noqa: F401 (fixture)
from concerted.pledges.tests.conftest import make_pledge, pledge  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ERROR_BOX = '<div class="error-box" role="alert" tabindex="-1" autofocus id="code_error">'


@dataclass(frozen=True)
class Kind:
    app: str
    fixture: str
    undo: str  # the url name that withdraws or revokes
    page: str  # the public page whose title is its h1
    title: Any  # the subject -> its page title

    def make(self, subject) -> str:
        """Take part once; the receipt page's address."""
        if self.app == "petitions":
            response = Client().post(reverse("petitions:sign", args=[subject.slug]), {"name": "Ana"})
        elif self.app == "pledges":
            response = Client().post(
                reverse("pledges:pledge", args=[subject.slug]), {"name": "Ada", "contact": "ada@example.org"}
            )
        else:
            response = sign_card(subject)
        assert response.status_code == 302, response.content.decode()[-2000:]
        return response["Location"]


KINDS = [
    Kind("petitions", "petition", "petitions:withdraw", "petitions:sign", lambda s: s.title),
    Kind("pledges", "pledge", "pledges:withdraw", "pledges:pledge", lambda s: s.title),
    Kind("cards", "unit", "cards:revoke", "cards:sign", lambda s: f"Union card: {s.union}"),
]


@pytest.fixture(params=KINDS, ids=[k.app for k in KINDS])
def kind_and_subject(request):
    kind = request.param
    return kind, request.getfixturevalue(kind.fixture)


def code_of(location: str) -> str:
    return re.search(r"/r/([A-Z2-7]{26})/", location).group(1)


def test_it_keeps_a_wrong_code_in_the_lookup_box_and_announces_the_error(kind_and_subject):
    kind, subject = kind_and_subject
    undone = code_of(kind.make(subject))
    assert Client().post(reverse(kind.undo, args=[subject.slug, undone]), {"confirm": "yes"}).status_code == 200
    lookup = reverse(f"{kind.app}:receipt_lookup", args=[subject.slug])
    pages = set()
    for typed in (undone, "A" * 26, '<b>"x" & y'):
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


def test_a_link_to_an_unknown_receipt_shows_its_code_in_the_lookup_box(kind_and_subject):
    kind, subject = kind_and_subject
    responses = [Client().get(reverse(f"{kind.app}:receipt", args=[subject.slug, "B" * 26]))]
    responses.append(Client().post(reverse(kind.undo, args=[subject.slug, "B" * 26]), {"confirm": "yes"}))
    for response in responses:
        assert response.status_code == 404
        html = response.content.decode()
        assert f'value="{"B" * 26}"' in html and ERROR_BOX in html


def test_the_receipt_page_labels_its_code_spells_it_and_has_one_h1(kind_and_subject):
    kind, subject = kind_and_subject
    location = kind.make(subject)
    title = escape(kind.title(subject))
    for url in (location, location.split("?")[0]):
        html = Client().get(url).content.decode()
        code = code_of(url)
        shown = "-".join(code[i : i + 4] for i in range(0, 26, 4))
        assert html.count("<h1") == 1
        assert f'<p class="receipt-code">Receipt code <code aria-hidden="true">{shown}</code>' in html
        spelled = re.search(r'<span class="sr-only">(.*?)</span></p>', html, re.S).group(1)
        assert " ".join(spelled.split()) == ", ".join(" ".join(group) for group in shown.split("-"))
        assert 'class="receipt-code" aria-label' not in html
        assert re.search(rf"<h2[^>]*>{re.escape(title)}</h2>", html)
    # The public page keeps its title as its h1.
    page = Client().get(reverse(kind.page, args=[subject.slug])).content.decode()
    assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", page)

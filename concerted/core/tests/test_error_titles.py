"""Error pages name themselves in the window title and the tab (a screen reader reads
the title first): they all said "Concerted"."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_the_404_page_says_what_it_is():
    assert title(Client().get("/en/p/nosuchcode/")) == "Page not found"


def test_the_405_page_says_what_it_is():
    response = Client().get("/en/p/nosuchcode/withdraw/anything/")
    assert response.status_code in (404, 405)
    assert title(response) in ("Page not found", "This address only answers a form")


@pytest.mark.ratelimit
@override_settings(PUBLIC_POST_RATE="1/10m")
def test_the_rate_limit_and_expired_form_pages_say_what_they_are(petition):
    url = f"/en/p/{petition.slug}/"
    Client().post(url, {"name": "A"})
    assert title(Client().post(url, {"name": "A"})) == "Too many tries from this connection"
    assert title(Client(enforce_csrf_checks=True).post(url, {"name": "A"})) == "Please reload the page and try again"

"""The cached page around a participant form (concerted/core/pagecache.py): each visitor
gets their own CSRF token, a release or an organizer's edit shows at once, a signature
changes nothing, and nothing about one visitor is ever served to another."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from concerted.campaigns.models import Segment
from concerted.core import releases
from concerted.petitions import signing

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client: Client, petition, query: str = "") -> str:
    response = client.get(reverse("petitions:sign", args=[petition.slug]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_gives_every_visitor_a_token_that_works_with_their_own_cookie(petition):
    url = reverse("petitions:sign", args=[petition.slug])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page(first, petition)
    html = page(second, petition)  # served from the cache
    assert "PLACEHOLDER" not in html
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    token = TOKEN_RE.search(html).group(1)
    response = second.post(url, {"csrfmiddlewaretoken": token, "name": "Second Visitor", "contact": "s@example.net"})
    assert response.status_code == 302
    refused = first.post(url, {"csrfmiddlewaretoken": token, "name": "First Visitor", "contact": "f@example.net"})
    assert refused.status_code == 403


def test_it_shows_a_release_on_the_cached_page_at_once(petition):
    signing.sign(petition, {"name": "Before"})
    assert "Fewer than 5" in page(Client(), petition)
    for i in range(6):
        signing.sign(petition, {"name": f"Signer {i}"})
    # Signatures alone change nothing a visitor sees (and the cached page is kept).
    assert "Fewer than 5" in page(Client(), petition)
    releases.force(petition)
    assert "7 signatures submitted" in page(Client(), petition)


def test_it_shows_an_organizers_edit_and_a_new_group_at_once(petition, campaign):
    assert "Harbour team" not in page(Client(), petition)
    Segment.objects.create(campaign=campaign, kind="team", label="Harbour team")
    assert "Harbour team" in page(Client(), petition)
    type(petition).objects.filter(pk=petition.pk).update(title="Switch the tracker off now")
    assert "Switch the tracker off now" in page(Client(), petition)


def test_it_never_serves_a_page_made_for_one_visitor_to_another(petition, owner):
    petition.requires_invite = True
    petition.save()
    assert 'value="ABCD' in page(Client(), petition, "?code=ABCD-EFGH-JKMN")
    assert 'value="ABCD' not in page(Client(), petition)
    cached = len(_keys())
    organizer = Client()
    organizer.force_login(owner)
    page(organizer, petition)  # signed in: rendered for this organizer, never kept
    assert len(_keys()) == cached


def test_it_keeps_nothing_typed_in_the_cache(petition):
    url = reverse("petitions:sign", args=[petition.slug])
    client = Client()
    page(client, petition)
    client.post(url, {"name": "Zebedee Quarrington", "contact": "zebedee@acme.com"})
    cached = b"".join(v for v in _values() if isinstance(v, bytes))
    assert cached
    assert b"Zebedee" not in cached and b"zebedee" not in cached


def _keys() -> list[str]:
    return list(caches["pages"]._cache.keys())  # type: ignore[attr-defined]


def _values() -> list[object]:
    import pickle

    return [pickle.loads(v) for v in caches["pages"]._cache.values()]  # type: ignore[attr-defined]

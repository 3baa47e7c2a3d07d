"""The blank sign page answered in front of Django (concerted/core/fastpages.py): each
visitor gets their own CSRF secret and token, what Django would have sent otherwise,
only a cookieless, query-less GET is answered, a page lasts at most TTL, a change this
process sees ends it at once, and a signature never does."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from concerted.campaigns.models import Segment
from concerted.core import fastpages, releases
from concerted.core.testing import WsgiResponse, wsgi_call
from concerted.petitions import signing

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Counted:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.django(environ, start_response)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def django_app() -> Counted:
    caches["pages"].clear()
    return Counted()


@pytest.fixture
def app(django_app: Counted, clock: Clock) -> fastpages.FastPages:
    return fastpages.FastPages(django_app, clock=clock)


def url(petition: Any) -> str:
    return reverse("petitions:sign", args=[petition.slug])


def get(app: Any, petition: Any, **kwargs: Any) -> WsgiResponse:
    response = wsgi_call(app, "GET", url(petition), **kwargs)
    assert response.status == 200, response.body[:2000]
    return response


def token(response: WsgiResponse) -> str:
    return TOKEN_RE.search(response.body).group(1).decode()  # type: ignore[union-attr]


def cookie(response: WsgiResponse) -> Any:
    (header,) = response.all("Set-Cookie")
    (morsel,) = SimpleCookie(header).values()
    return morsel


def test_it_answers_the_same_blank_page_without_django_with_each_visitors_own_secret(app, django_app, petition):
    first = get(app, petition)
    second = get(app, petition)
    third = get(app, petition)
    assert django_app.calls == 1
    secrets = [cookie(r).value for r in (first, second, third)]
    assert len(set(secrets)) == 3
    for response, secret in zip((first, second, third), secrets, strict=True):
        assert _unmask_cipher_token(token(response)) == secret
        assert b"PLACEHOLDER" not in response.body
        assert response.header("Content-Length") == str(len(response.body))
    # Nothing of the visitor whose page was kept reaches the next ones.
    assert secrets[0].encode() not in second.body + repr(second.headers).encode()
    assert token(first).encode() not in second.body
    # Everything else is what Django sent: the policy headers, the cookie's flags.
    def others(response: WsgiResponse) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in response.headers if k.lower() not in ("set-cookie", "content-length"))

    assert others(second) == others(first)
    for name in ("Content-Security-Policy", "Referrer-Policy", "Cache-Control", "X-Frame-Options", "Vary"):
        assert second.header(name) == first.header(name) is not None
    for flag in ("path", "samesite", "secure", "httponly", "max-age"):
        assert cookie(second)[flag] == cookie(first)[flag]
    assert first.body.replace(token(first).encode(), b"") == second.body.replace(token(second).encode(), b"")


def test_a_token_it_gave_signs(app, django_app, petition):
    page = get(app, petition)
    get(app, petition)
    page = get(app, petition)
    assert django_app.calls == 1
    form = f"csrfmiddlewaretoken={token(page)}&name=Fast+Visitor&contact=fast%40example.net".encode()
    headers = {
        "Cookie": f"csrftoken={cookie(page).value}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
    }
    signed = wsgi_call(app, "POST", url(petition), headers=headers, body=form)
    assert signed.status == 302, signed.body[:2000]
    headers["Cookie"] = "csrftoken=" + "x" * 32
    refused = wsgi_call(app, "POST", url(petition), headers=headers, body=form)
    assert refused.status == 403


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": "code=ABCD-EFGH-JKMN"},
        {"headers": {"Cookie": "sessionid=abc"}},
        {"headers": {"Cookie": "messages=abc"}},
        {"headers": {"Host": "other.example"}},
        {"headers": {"X-Forwarded-Proto": "https"}},
    ],
    ids=["query", "session", "messages", "host", "scheme"],
)
def test_everything_but_the_same_blank_get_goes_to_django(app, django_app, petition, settings, kwargs):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    get(app, petition)
    get(app, petition)
    assert django_app.calls == 1
    wsgi_call(app, "GET", url(petition), **kwargs)
    assert django_app.calls == 2
    wsgi_call(app, "HEAD", url(petition))
    assert django_app.calls == 3


def test_a_returning_visitor_keeps_the_secret_in_their_own_cookie(app, django_app, petition):
    get(app, petition)
    mine = "k" * 32
    page = get(app, petition, headers={"Cookie": f"csrftoken={mine}"})
    assert django_app.calls == 2
    assert _unmask_cipher_token(token(page)) == mine
    assert all(not c.lstrip().startswith("csrftoken=") or mine in c for c in page.all("Set-Cookie"))


def test_it_never_keeps_a_page_made_for_one_visitor(app, django_app, petition, owner):
    petition.requires_invite = True
    petition.save()
    invited = wsgi_call(app, "GET", url(petition), query="code=ABCD-EFGH-JKMN")
    assert b'value="ABCD' in invited.body
    assert b'value="ABCD' not in get(app, petition).body
    # A signed-in organizer's page is never kept either.
    organizer = Client()
    organizer.force_login(owner)
    session = organizer.cookies["sessionid"].value
    fresh = fastpages.FastPages(django_app)
    calls = django_app.calls
    wsgi_call(fresh, "GET", url(petition), headers={"Cookie": f"sessionid={session}"})
    get(fresh, petition)
    assert django_app.calls == calls + 2


def test_a_page_lasts_at_most_ttl(app, django_app, petition, clock):
    assert b"End keystroke tracking" in get(app, petition).body
    # An edit this process does not see (another worker, a queryset update()).
    type(petition).objects.filter(pk=petition.pk).update(title="Switch the tracker off now")
    clock.now += fastpages.TTL * 0.9
    assert b"End keystroke tracking" in get(app, petition).body
    clock.now += fastpages.TTL * 0.2
    assert b"Switch the tracker off now" in get(app, petition).body


def test_a_change_this_process_sees_ends_the_page_at_once(app, petition, campaign):
    assert b"Harbour team" not in get(app, petition).body
    Segment.objects.create(campaign=campaign, kind="team", label="Harbour team")
    assert b"Harbour team" in get(app, petition).body
    petition.title = "Switch the tracker off now"
    petition.save()
    assert b"Switch the tracker off now" in get(app, petition).body
    for i in range(7):
        signing.sign(petition, {"name": f"Signer {i}"})
    assert b"Fewer than 5" in get(app, petition).body
    releases.force(petition)
    assert b"7 signatures submitted" in get(app, petition).body


def test_a_signature_never_ends_a_page_early(app, django_app, petition):
    page = get(app, petition)
    get(app, petition)
    calls = django_app.calls
    form = f"csrfmiddlewaretoken={token(page)}&name=Quiet+Signer&contact=quiet%40example.net".encode()
    headers = {
        "Cookie": f"csrftoken={cookie(page).value}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
    }
    assert wsgi_call(app, "POST", url(petition), headers=headers, body=form).status == 302
    signing.sign(petition, {"name": "Another Signer"})
    get(app, petition)
    # The POST went to Django; the next blank page did not: a poller can't time a miss.
    assert django_app.calls == calls + 1


def test_it_keeps_a_page_per_language_the_browser_asks_for(app, django_app, petition):
    unprefixed = "/" + url(petition).split("/", 2)[2]
    spanish = wsgi_call(app, "GET", unprefixed, headers={"Accept-Language": "es"})
    wsgi_call(app, "GET", unprefixed, headers={"Accept-Language": "es"})
    assert django_app.calls == 1
    german = wsgi_call(app, "GET", unprefixed, headers={"Accept-Language": "de"})
    assert django_app.calls == 2
    assert b'lang="es"' in spanish.body and b'lang="de"' in german.body

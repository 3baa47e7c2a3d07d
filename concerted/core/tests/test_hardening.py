"""Headers, CSRF under no-referrer, rate limits, log redaction, deploy checks, settings."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core.logging import RedactParticipantData
from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db


def csrf_client_and_token(url):
    client = Client(enforce_csrf_checks=True)
    client.get(url)
    return client, client.cookies["csrftoken"].value


def test_every_page_carries_the_privacy_headers(client, petition):
    for url in ["/", "/privacy/", reverse("petitions:sign", args=[petition.slug]), "/accounts/login/"]:
        response = client.get(url)
        assert response["Referrer-Policy"] == "no-referrer"
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]
        assert "Set-Cookie" not in response or "sessionid" not in str(response.cookies)


def test_a_same_origin_post_with_origin_null_is_accepted(petition):
    url = reverse("petitions:sign", args=[petition.slug])
    client, token = csrf_client_and_token(url)
    response = client.post(
        url, {"name": "A", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 302


def test_a_cross_site_post_is_refused_even_with_a_token(petition):
    url = reverse("petitions:sign", args=[petition.slug])
    client, token = csrf_client_and_token(url)
    response = client.post(
        url, {"name": "A", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 403
    assert b"reload the page" in response.content
    assert not Signature.objects.exists()


def test_a_post_without_a_token_is_refused_with_a_clear_page(petition):
    response = Client(enforce_csrf_checks=True).post(reverse("petitions:sign", args=[petition.slug]), {"name": "A"})
    assert response.status_code == 403
    assert b"nothing was stored" in response.content


def test_https_posts_without_referer_pass_on_fetch_metadata(petition, settings):
    url = reverse("petitions:sign", args=[petition.slug])
    client, token = csrf_client_and_token(url)
    response = client.post(
        url,
        {"name": "A", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302


def test_public_posts_are_rate_limited_without_storing_the_address(petition, settings):
    settings.RATELIMIT_ENABLE = True
    settings.PUBLIC_POST_RATE = "3/m"
    from django.core.cache import caches

    cache = caches["ratelimit"]

    cache.clear()
    url = reverse("petitions:sign", args=[petition.slug])
    flooder = Client(REMOTE_ADDR="198.51.100.9")
    statuses = [flooder.post(url, {"name": f"F{i}"}).status_code for i in range(5)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3:] == [429, 429]
    assert b"Too many tries" in flooder.post(url, {"name": "F"}).content
    honest = Client(REMOTE_ADDR="198.51.100.10")
    assert honest.post(url, {"name": "Honest"}).status_code == 302
    assert flooder.get(url).status_code == 200  # reading is never limited
    assert not any("198.51.100" in str(k) for k in getattr(cache, "_cache", {}))


def test_the_log_filter_redacts_participant_paths():
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/p/abc/r/SECRETCODE/",), None
    )
    record.request = object()
    assert RedactParticipantData().filter(record)
    assert "SECRETCODE" not in record.getMessage()
    assert record.request is None


def run_check(env_extra):
    # The browser tests' conftest allows async-unsafe ORM calls in this process; a
    # deployment never has that, and check --deploy rightly refuses it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | env_extra
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_check(
        {
            "CONCERTED_HTTPS": "true",
            "CONCERTED_SECRET_KEY": "k" * 60 + "-a-long-random-production-secret",
            "CONCERTED_ALLOWED_HOSTS": "concerted.example.org",
            "CONCERTED_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONCERTED_HTTPS": "maybe"}, "CONCERTED_HTTPS must be a boolean"),
        ({"CONCERTED_SECRET_KEY": "short"}, "CONCERTED_SECRET_KEY must be at least 50"),
        ({"CONCERTED_RATELIMIT_MEMCACHED": "localhost"}, "must be host:port"),
        ({"CONCERTED_CLIENT_IP_HEADER": "X-Forwarded-For: evil"}, "must be a header name"),
        ({"CONCERTED_SESSION_MINUTES": "soon"}, "must be an integer"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "PostgreSQL or SQLite"),
        ({"CONCERTED_PUBLIC_BASE_URL": "flyer.example"}, "must start with http"),
    ],
)
def test_bad_settings_fail_loudly(tmp_path, env, message):
    result = run_check({"CONCERTED_DATA_DIR": str(tmp_path), **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_removing_the_csrf_middleware_fails_the_system_check(settings):
    from concerted.core.checks import csrf_middleware_installed

    assert csrf_middleware_installed(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "csrf" not in m.lower()]
    assert [e.id for e in csrf_middleware_installed(None)] == ["concerted.E001"]


def test_every_participant_url_prefix_is_redacted_in_logs():
    """A new public app with a new prefix must be added to the log redaction."""
    from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + ("" if isinstance(p.pattern, LocalePrefixPattern) else str(p.pattern))
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route

    organizer_or_site = ("o/", "accounts/", "privacy/", "favicon.ico", "jsi18n/", "^static", "static/", "")
    public = {r for r in walk(get_resolver().url_patterns) if not r.startswith(organizer_or_site[:-1]) and r}
    assert public, "no participant routes found"
    for route in public:
        sample = "/" + route.split("<")[0] + "SECRETPART/?code=SECRETCODE"
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Error: %s", (sample,), None)
        RedactParticipantData().filter(record)
        assert "SECRET" not in record.getMessage(), route

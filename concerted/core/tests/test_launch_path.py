"""The shortcuts the signing path takes for speed (issue 19) give what the slow way gives:
the CSRF token, the CSP header, an employer domain's spelling, the rate limiter's key."""

from __future__ import annotations

import random
import string

import idna
import pytest
from csp.utils import build_policy
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from concerted.core import csrf, ratelimit
from concerted.core.text import DomainError, normalize_domain

pytestmark = pytest.mark.django_db


def test_it_makes_tokens_django_unmasks_to_the_cookie_secret(rf: RequestFactory):
    request = rf.get("/")
    tokens = {csrf.get_token(request) for _ in range(50)}
    secret = request.META["CSRF_COOKIE"]
    assert len(tokens) == 50 and len(secret) == 32 and request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    other = rf.get("/")
    csrf.get_token(other)
    assert other.META["CSRF_COOKIE"] != secret


def test_its_random_strings_use_the_whole_alphabet_evenly():
    drawn = "".join(csrf._random_string(32) for _ in range(2000))  # 64,000 characters
    counts = [drawn.count(ch) for ch in CSRF_ALLOWED_CHARS]
    expected = len(drawn) / len(CSRF_ALLOWED_CHARS)  # about 1,032 each
    assert min(counts) > expected * 0.8 and max(counts) < expected * 1.2


def test_every_page_carries_the_policy_django_csp_builds(petition):
    response = Client().get(reverse("petitions:sign", args=[petition.slug]))
    assert response["Content-Security-Policy"] == build_policy()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_views_own_policy_still_wins(settings):
    from django.http import HttpResponse

    from concerted.core.middleware import ConstantCSPMiddleware

    response = HttpResponse()
    response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}  # what csp_update sets
    out = ConstantCSPMiddleware(lambda request: response).process_response(RequestFactory().get("/"), response)
    assert "'wasm-unsafe-eval'" in out["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    plain = ConstantCSPMiddleware(lambda request: HttpResponse()).process_response(
        RequestFactory().get("/"), HttpResponse()
    )
    assert plain["Content-Security-Policy"] == "default-src 'none'"


def _by_idna(text: str) -> str:
    try:
        result = idna.encode(text.strip().lstrip("@"), uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return "refused"
    return result.lower().rstrip(".") or "refused"


def test_plain_domains_are_spelled_as_idna_spells_them():
    rng = random.Random(19)
    alphabet = string.ascii_letters + string.digits + "-._"
    samples = ["Example.COM", "example.com.", "a-b.example", "xn--bcher-kva.example", "ab--c.example", "-a.example"]
    samples += ["a" * 63 + ".com", "a" * 64 + ".com", ("a" * 60 + ".") * 4 + "com", "", ".", "a..b"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(3000)]
    for text in samples:
        try:
            ours = normalize_domain(text)
        except DomainError:
            ours = "refused"
        assert ours == _by_idna(text), text


def test_with_a_shared_memcached_each_process_reads_the_limiter_key_once_a_minute(settings, monkeypatch):
    settings.RATELIMIT_MEMCACHED = "127.0.0.1:11211"  # the counters stay in locmem here
    monkeypatch.setattr(ratelimit, "_local_key", None)
    first = ratelimit._limiter_key()
    from django.core.cache import caches

    caches["ratelimit"].clear()  # memcached restarted
    assert ratelimit._limiter_key() == first  # kept for up to a minute ...
    monkeypatch.setattr(ratelimit, "_local_key", (first, 0.0))  # ... and then read again
    assert ratelimit._limiter_key() != first
    stored = caches["ratelimit"].get(ratelimit.KEY_NAME)
    assert ratelimit._limiter_key() == bytes.fromhex(stored.split(":")[0])


def test_a_written_out_insert_stores_what_save_stores(petition):
    from django.db import connection, transaction

    from concerted.core import records
    from concerted.petitions.models import Signature

    def row(signature: Signature) -> dict:
        with connection.cursor() as cursor:
            key = Signature._meta.pk.get_db_prep_value(signature.pk, connection)
            cursor.execute("SELECT * FROM petitions_signature WHERE id = %s", [key])
            columns = [c[0] for c in cursor.description]
            return dict(zip(columns, cursor.fetchone(), strict=True))

    rows = []
    for store in (lambda s: s.save(force_insert=True), records.insert):
        signature = Signature(petition=petition, receipt_hash=f"{len(rows)}" * 64, may_message=True)
        signature.seal_data({"name": "Same Person", "contact": "", "day": signature.day.isoformat()})
        with transaction.atomic():
            store(signature)
        assert not signature._state.adding and Signature.objects.get(pk=signature.pk).sealed == signature.sealed
        rows.append(row(signature))
    saved, inserted = rows
    differ = {k for k in saved if saved[k] != inserted[k]}
    assert differ == {"id", "sealed", "receipt_hash", "stop_hash"}  # random or chosen per row
    assert Signature.objects.count() == 2

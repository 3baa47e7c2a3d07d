"""The leak tests (every app's test_leaks.py) run with the rate limiter on, so what the
limiter keeps is in what they read; this file is one of them and checks that."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from concerted.core.testing import assert_absent, database_bytes

pytestmark = pytest.mark.django_db(transaction=True)

IP = "203.0.113.61"


def test_the_leak_tests_run_with_the_limiter_on(petition, settings, tmp_path):
    assert settings.RATELIMIT_ENABLE
    url = reverse("petitions:sign", args=[petition.slug])
    assert Client(REMOTE_ADDR=IP).post(url, {"name": "Limiter Leakcheck"}).status_code == 302
    counters = caches["ratelimit"]._cache  # LocMemCache: what the limiter counted
    assert len(counters) >= 2, "the limiter counted nothing"  # the limiter key and a counter
    assert_absent(database_bytes(), IP)

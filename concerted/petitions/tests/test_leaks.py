"""Invariant 1 and 3: a seized server holds no signer's name, contact or comment,
and no IP or user agent — in the database file, its WAL, or the logs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from concerted.core.testing import assert_absent, database_bytes, server_log_file
from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Quillon Verbatimsky"
CONTACT = "quillon.verbatimsky@example.net"
PHONE = "+49 151 98765432"
COMMENT = "Zephyrine-marmalade-protest-7731"
IP = "203.0.113.77"
AGENT = "LeakTestBrowser/9.9 (distinctive-agent)"


@pytest.fixture
def log_file(tmp_path):
    with server_log_file(tmp_path / "concerted.log") as path:
        yield path


def test_it_keeps_no_identity_at_rest(petition, log_file, private_key):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    response = client.post(
        reverse("petitions:sign", args=[petition.slug]),
        {"name": NAME, "contact": CONTACT, "comment": COMMENT, "consent_named": "on"},
    )
    assert response.status_code == 302
    code = re.search(r"/r/([A-Z2-7]{26})/", response["Location"]).group(1)
    client.get(response["Location"])
    # A second signer with a phone, and a repeat (kept like any submission: no oracle).
    client.post(reverse("petitions:sign", args=[petition.slug]), {"name": NAME + " II", "contact": PHONE})
    client.post(reverse("petitions:sign", args=[petition.slug]), {"name": NAME, "contact": CONTACT})
    client.get(reverse("petitions:receipt", args=[petition.slug, "Z" * 26]))
    assert Signature.objects.count() == 3

    if connection.vendor == "sqlite":
        # Make sure the WAL actually holds the pages we check (before any checkpoint).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    raw = database_bytes()
    assert len(raw) > 10_000
    logs = log_file.read_bytes()
    for blob in (raw, logs):
        assert_absent(blob, NAME, CONTACT, "98765432", COMMENT, IP, AGENT, code)
    # The test can fail: the sealed data is really there, just not readable.
    assert Signature.objects.first().sealed


def test_the_leak_check_can_fail(petition):
    """Guard against a check that passes vacuously: plaintext we store openly is found."""
    petition.title = "Plaintext-canary-title-4242"
    petition.save()
    with pytest.raises(AssertionError):
        assert_absent(database_bytes(), "Plaintext-canary-title-4242")


def test_withdrawn_signature_leaves_no_ciphertext_behind(petition):
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete is an SQLite pragma")
    client = Client()
    location = client.post(reverse("petitions:sign", args=[petition.slug]), {"name": NAME})["Location"]
    sealed = bytes(Signature.objects.get().sealed)
    assert sealed[:48] in database_bytes()
    code = re.search(r"/r/([A-Z2-7]{26})/", location).group(1)
    client.post(reverse("petitions:withdraw", args=[petition.slug, code]), {"confirm": "yes"})
    assert sealed[:48] not in database_bytes()

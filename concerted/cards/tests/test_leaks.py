"""Raw bytes: no signer's name, contact or typed signature, no roster name and no
one-on-one note is in the SQLite database file or its WAL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from concerted.cards.models import Card, OneOnOne, RosterPerson

from .conftest import sign_card

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = [
    "Quetzalcoatl Wintermute-Okonkwo",
    "Þórdís Ñúñez-Łukasiewicz",
    "quetzal.wintermute@example.org",
    "+44 7700 900 431",
    "Glockenspiel Superintendent",
    "Zebediah Marchbanks",
    "Zebediah confided the night-shift manager reads our Slack DMs",
    "Bring Zebediah to the Thursday committee meeting",
]


def raw_database_bytes() -> bytes:
    if connection.vendor != "sqlite":
        pytest.skip("raw-byte check reads the SQLite file")
    name = Path(connection.settings_dict["NAME"])
    assert name.exists(), "the test database must be a real file"
    connection.close()  # nothing buffered in this process
    data = name.read_bytes()
    wal = Path(f"{name}-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data


def test_no_name_contact_signature_or_note_is_stored_in_the_clear(as_user, unit, private_key):
    response = sign_card(
        unit,
        full_name=SECRETS[0],
        signature=SECRETS[0].lower(),
        email=SECRETS[2],
        phone=SECRETS[3],
        job_classification=SECRETS[4],
    )
    assert response.status_code == 302
    assert sign_card(unit, full_name=SECRETS[1], signature=SECRETS[1], phone="+44 7700 900 999").status_code == 302
    client = as_user("owner")
    assert (
        client.post(reverse("cards:roster", args=[unit.pk]), {"name": SECRETS[5], "contact": SECRETS[2]}).status_code
        == 302
    )
    assert client.post(reverse("cards:roster", args=[unit.pk]), {"name": SECRETS[1]}).status_code == 302
    person = RosterPerson.objects.first()
    response = client.post(
        reverse("cards:person_note", args=[person.pk]),
        {"day": "2026-01-05", "who": SECRETS[0], "note": SECRETS[6], "next_step": SECRETS[7]},
    )
    assert response.status_code == 302
    assert Card.objects.count() == 2 and RosterPerson.objects.count() == 2 and OneOnOne.objects.count() == 1
    data = raw_database_bytes()
    assert len(data) > 10_000
    # Control: a clear-text value we did store is found, so the check can fail.
    assert unit.name.encode() in data
    for secret in SECRETS:
        for encoded in {secret.encode("utf-8"), secret.lower().encode("utf-8"), secret.encode("utf-16-le")}:
            assert encoded not in data, f"{secret!r} is in the database file in the clear"

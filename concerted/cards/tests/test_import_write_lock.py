"""A pasted roster is sealed before the transaction that stores it: on SQLite every
transaction holds the whole server's write lock (IMMEDIATE), and sealing hundreds of
lines took most of a second, during which every signature, pledge and card waited."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)

from concerted.cards import signing
from concerted.cards.models import RosterPerson
from concerted.core.testing import wait_for_write_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's one write lock"),
]


def test_it_seals_an_imported_roster_outside_the_write_lock(unit, monkeypatch):
    real = RosterPerson.seal_data
    waited: list[float] = []

    def seal_while_someone_signs(person, data):
        if not waited:
            waited.append(wait_for_write_lock())  # raises after 3 s if the import holds the lock
        return real(person, data)

    monkeypatch.setattr(RosterPerson, "seal_data", seal_while_someone_signs)
    assert signing.import_people(unit, [{"name": f"Person {i}", "contact": ""} for i in range(50)]) == 50
    assert waited and waited[0] < 1
    assert RosterPerson.objects.filter(unit=unit).count() == 50

"""A new organizer's Argon2 hash is made before the join's transaction: on SQLite every
transaction holds the whole server's write lock (IMMEDIATE), and the hash takes up to a
second, during which every signature, pledge and card would wait."""

from __future__ import annotations

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import connection  # noqa: F401 (read by the skipif condition)
from django.test import Client

from concerted.campaigns.models import Membership
from concerted.core.testing import wait_for_write_lock

from .test_team import NEW_PASSWORD, make_invite

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's one write lock"),
]


def test_it_hashes_a_new_organizers_password_outside_the_write_lock(as_user, campaign, monkeypatch):
    path = "/" + make_invite(as_user("owner"), campaign).split("://", 1)[1].split("/", 1)[1]
    real = AbstractBaseUser.set_password
    waited: list[float] = []

    def hash_while_someone_signs(user, raw):
        waited.append(wait_for_write_lock())  # raises after 3 s if the join holds the lock
        return real(user, raw)

    monkeypatch.setattr(AbstractBaseUser, "set_password", hash_while_someone_signs)
    response = Client().post(path, {"username": "sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert waited and waited[0] < 1
    sam = User.objects.get(username="sam")
    assert sam.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(campaign=campaign, user=sam).exists()

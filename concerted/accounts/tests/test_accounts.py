from __future__ import annotations

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from concerted.accounts.models import ExportToken
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2id(owner):
    assert owner.password.startswith("argon2$argon2id$")


def test_it_signs_in_and_out(owner):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("campaigns:list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("campaigns:list")).status_code == 302


def test_a_wrong_password_gets_a_clear_message(owner):
    response = Client().post(reverse("accounts:login"), {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_organizer_sessions_time_out(settings, owner):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client = Client()
    client.post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Strict"


@pytest.mark.parametrize("who", ["owner", "teammate", "outsider"])
def test_every_organizer_manages_only_their_own_tokens(as_user, who, owner):
    _obj, _token = ExportToken.issue(owner, "owner-laptop")
    client = as_user(who)
    response = client.post(reverse("accounts:tokens"), {"label": "mine"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "cxt_" in html  # the new token is shown once
    assert ("owner-laptop" in html) == (who == "owner")
    other = ExportToken.objects.get(label="owner-laptop")
    revoke = client.post(reverse("accounts:token_revoke", args=[other.pk]), {"confirm": "yes"})
    assert revoke.status_code == (302 if who == "owner" else 404)


def test_tokens_need_a_sign_in_and_post(as_user, owner):
    obj, _token = ExportToken.issue(owner, "x")
    anon = as_user("anonymous")
    assert anon.get(reverse("accounts:tokens")).status_code == 302
    assert anon.post(reverse("accounts:token_revoke", args=[obj.pk])).status_code == 302
    assert ExportToken.objects.filter(pk=obj.pk).exists()
    assert as_user("owner").get(reverse("accounts:token_revoke", args=[obj.pk])).status_code == 405


def test_tokens_are_stored_only_as_hashes(owner):
    obj, token = ExportToken.issue(owner, "x")
    assert token not in obj.token_hash
    assert ExportToken.user_for(token) == owner
    assert ExportToken.user_for(token + "x") is None


def test_the_organizer_command_creates_accounts(monkeypatch):
    monkeypatch.setenv("NEW_PW", "a sufficiently long passphrase 9")
    call_command("organizer", "add", "rosa", password_env="NEW_PW", stdout=io.StringIO())
    assert get_user_model().objects.get(username="rosa").check_password(os.environ["NEW_PW"])
    with pytest.raises(CommandError, match="already exists"):
        call_command("organizer", "add", "rosa", password_env="NEW_PW")
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("organizer", "add", "weakling", password_env="WEAK")
    # A name the sign-in form could never match is refused, not stored.
    for bad in ("rosa luxemburg", "r" * 151, ""):
        with pytest.raises(CommandError, match=r"username|characters|blank"):
            call_command("organizer", "add", bad, password_env="NEW_PW")
    assert get_user_model().objects.count() == 1


def test_it_tells_a_new_installation_how_to_make_the_first_organizer():
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "This server has no organizer account yet" in page
    assert "concerted organizer add YOUR-NAME" in page


def test_it_says_nothing_of_the_kind_once_an_organizer_exists(owner):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "no organizer account yet" not in page

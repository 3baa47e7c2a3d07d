from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerted.accounts.models import OrganizerSession, RecoveryCode, TwoFactor
from concerted.core.hashing import code_hash
from concerted.core.testing import database_bytes
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def turn_on(client: Client, user) -> tuple[str, list[str]]:
    """Walk the page as an organizer: start, read the key, type a code. Returns the
    secret and the recovery codes shown once."""
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    secret = TwoFactor.objects.get(user=user).secret
    response = client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two-factor sign-in is on" in html
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) == 8
    return secret, codes


def sign_in(client: Client, username: str = "owner", **extra) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD, **extra})


def test_it_turns_on_two_factor_and_asks_for_the_code_at_sign_in(as_user, owner):
    secret, _codes = turn_on(as_user("owner"), owner)
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302 and response.url == reverse("accounts:login_code")
    # The password alone signs nobody in.
    assert client.get(reverse("campaigns:list")).status_code == 302
    wrong = client.post(reverse("accounts:login_code"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    # The code used to turn it on can't be used again: take the next one (clock drift allowed).
    code = pyotp.TOTP(secret).at(timezone.now() + datetime.timedelta(seconds=30))
    assert client.post(reverse("accounts:login_code"), {"code": code}).status_code == 302
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert OrganizerSession.objects.filter(user=owner, two_factor=True).exists()
    # The same code can't be used twice (a shoulder-surfed code is worth nothing).
    other = Client()
    sign_in(other)
    assert other.post(reverse("accounts:login_code"), {"code": code}).status_code == 400


def test_it_gives_up_after_five_wrong_codes(as_user, owner):
    turn_on(as_user("owner"), owner)
    client = Client()
    sign_in(client)
    for _ in range(4):
        assert client.post(reverse("accounts:login_code"), {"code": "123456"}).status_code == 400
    assert client.post(reverse("accounts:login_code"), {"code": "123456"}).url == reverse("accounts:login")
    assert client.get(reverse("accounts:login_code")).url == reverse("accounts:login")


def test_recovery_codes_are_hashed_and_work_once(as_user, owner):
    _secret, codes = turn_on(as_user("owner"), owner)
    raw = database_bytes()
    assert not any(code.encode() in raw for code in codes)
    assert RecoveryCode.objects.filter(user=owner).count() == 8
    client = Client()
    sign_in(client)
    assert client.post(reverse("accounts:login_code"), {"code": codes[0]}).status_code == 302
    again = Client()
    sign_in(again)
    assert again.post(reverse("accounts:login_code"), {"code": codes[0]}).status_code == 400


def test_a_recovery_code_is_read_back_as_written_on_paper(as_user, owner):
    """Lower case, spaces instead of dashes, a 0 for an O: still the code (and still
    good once only)."""
    _secret, codes = turn_on(as_user("owner"), owner)
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", c) for c in codes), codes
    typed = codes[1].lower().replace("-", " ").replace("o", "0")
    client = Client()
    sign_in(client)
    assert client.post(reverse("accounts:login_code"), {"code": f"  {typed} "}).status_code == 302
    again = Client()
    sign_in(again)
    assert again.post(reverse("accounts:login_code"), {"code": codes[1]}).status_code == 400


def test_a_recovery_code_made_before_they_were_base32_still_works(as_user, owner):
    turn_on(as_user("owner"), owner)
    two_factor = TwoFactor.objects.get(user=owner)
    RecoveryCode.objects.create(user=owner, code_hash=code_hash("aB3_x-Yz9Qk", "recovery-code"))
    assert not two_factor.use_recovery_code("AB3_X-YZ9QK")
    assert two_factor.use_recovery_code(" aB3_x-Yz9Qk ")
    assert not two_factor.use_recovery_code("aB3_x-Yz9Qk")


def test_turning_it_off_needs_a_code(as_user, owner):
    client = as_user("owner")
    secret, _codes = turn_on(client, owner)
    assert client.post(reverse("accounts:two_factor"), {"action": "off", "code": "111111"}).status_code == 400
    assert TwoFactor.objects.filter(user=owner).exists()
    totp = pyotp.TOTP(secret)
    later = timezone.now() + datetime.timedelta(seconds=30)
    response = client.post(reverse("accounts:two_factor"), {"action": "off", "code": totp.at(later)})
    assert response.status_code == 302
    assert not TwoFactor.objects.filter(user=owner).exists()
    assert not RecoveryCode.objects.filter(user=owner).exists()


def test_two_factor_page_needs_a_sign_in_and_allows_get_and_post(as_user):
    assert as_user("anonymous").get(reverse("accounts:two_factor")).status_code == 302
    assert as_user("owner").put(reverse("accounts:two_factor")).status_code == 405
    assert as_user("owner").get(reverse("accounts:two_factor")).status_code == 200


def test_it_lists_sessions_by_chosen_name_and_day_and_ends_them(owner):
    laptop, phone = Client(), Client()
    assert sign_in(laptop, session_name="home laptop").status_code == 302
    assert sign_in(phone, session_name="my phone").status_code == 302
    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "home laptop" in page and "my phone" in page
    assert timezone.now().date().isoformat() in page
    other = OrganizerSession.objects.get(name="my phone")
    assert laptop.post(reverse("accounts:session_end", args=[other.pk])).status_code == 302
    # The phone is signed out at its next request.
    assert phone.get(reverse("campaigns:list")).status_code == 302
    assert laptop.get(reverse("campaigns:list")).status_code == 200


def test_sessions_are_only_your_own(owner, teammate):
    mine, theirs = Client(), Client()
    sign_in(mine)
    sign_in(theirs, username="teammate")
    their_session = OrganizerSession.objects.get(user=teammate)
    assert mine.post(reverse("accounts:session_end", args=[their_session.pk])).status_code == 404
    assert theirs.get(reverse("campaigns:list")).status_code == 200
    assert mine.get(reverse("accounts:session_end", args=["others"])).status_code == 405
    assert Client().post(reverse("accounts:session_end", args=["others"])).status_code == 302


def test_it_signs_out_every_other_session(owner):
    clients = [Client() for _ in range(3)]
    for i, c in enumerate(clients):
        sign_in(c, session_name=f"device {i}")
    clients[0].post(reverse("accounts:session_end", args=["others"]))
    assert [c.get(reverse("campaigns:list")).status_code for c in clients] == [200, 302, 302]


def test_sessions_keep_no_address_and_no_user_agent(owner):
    """Invariant 3: the session list shows a chosen name and a day, never where from."""
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mozilla/5.0 (UniqueAgent-9f3k)")
    response = client.post(
        reverse("accounts:login"), {"username": "owner", "password": PASSWORD, "session_name": "desk"}
    )
    assert response.status_code == 302
    client.get(reverse("accounts:sessions"))
    raw = database_bytes()
    assert b"203.0.113.77" not in raw
    assert b"UniqueAgent-9f3k" not in raw
    assert OrganizerSession.objects.get(user=owner).name == "desk"

"""Issue 11: the secret key, the shared rate limiter, sign-in throttles, proxy mode."""

from __future__ import annotations

import hashlib
import importlib
import os
import stat
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from concerted.core import keyfile
from concerted.core.checks import per_process_limiter_workers
from concerted.petitions.models import Signature
from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.ratelimit]


def settings_secret(data_dir) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTED_") and k != "DATABASE_URL"}
    env |= {"CONCERTED_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "concerted.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_it_never_runs_with_a_constant_secret_key(tmp_path):
    first = settings_secret(tmp_path / "one")
    key_file = tmp_path / "one" / "secret.key"
    assert first == key_file.read_text().strip()
    assert len(first) >= 64 and "insecure" not in first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings_secret(tmp_path / "one") == first  # kept across restarts
    assert settings_secret(tmp_path / "two") != first  # every installation its own


def test_the_key_file_is_written_once_when_processes_race(tmp_path):
    path = tmp_path / "secret.key"
    keys = {keyfile.read_or_create(path) for _ in range(5)}
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def login(client: Client, username: str, password: str = "wrong password"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_throttles_sign_in_per_account_whatever_the_address(owner, teammate, settings):
    settings.LOGIN_RATE = "10/15m"
    statuses = [login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "owner").status_code for i in range(10)]
    assert statuses == [200] * 10
    refused = login(Client(REMOTE_ADDR="198.51.100.200"), "OWNER ", PASSWORD)  # even the right password
    assert refused.status_code == 429 and refused["Retry-After"] == "900"
    assert "Too many sign-in attempts for this account" in refused.content.decode()
    assert "wait 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Another account is not locked out by it.
    make_other = Client(REMOTE_ADDR="198.51.100.201")
    assert login(make_other, "teammate", PASSWORD).status_code == 302


def test_it_throttles_sign_in_per_address_whatever_the_account(owner, settings):
    settings.LOGIN_RATE = "10/15m"
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [login(guesser, f"name{i}").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    assert login(Client(REMOTE_ADDR="198.51.100.8"), "owner", PASSWORD).status_code == 302


def test_behind_a_proxy_it_counts_the_forwarded_client(petition, settings):
    settings.PUBLIC_POST_RATE = "2/m"
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    url = reverse("petitions:sign", args=[petition.slug])
    proxy = "127.0.0.1"  # every request arrives from the proxy

    def sign(forwarded: str) -> int:
        return Client(REMOTE_ADDR=proxy).post(url, {"name": "A"}, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [sign("203.0.113.1") for _ in range(3)] == [302, 302, 429]
    assert sign("203.0.113.2") == 302  # another client behind the same proxy
    # A client can't pick its own address: only the entry our proxy appended counts.
    assert sign("198.51.100.99, 203.0.113.1") == 429


def test_an_ipv6_client_counts_as_its_64_whatever_address_it_picks(petition, settings):
    """A phone picks new IPv6 addresses inside its /64 at will: counted per address, it
    could post without limit."""
    from concerted.core.ratelimit import counted_as

    settings.PUBLIC_POST_RATE = "2/m"
    url = reverse("petitions:sign", args=[petition.slug])

    def sign(address: str) -> int:
        return Client(REMOTE_ADDR=address).post(url, {"name": "A"}).status_code

    assert [sign(f"2001:db8:1:2::{i:x}") for i in (1, 0xBEEF, 0xCAFE)] == [302, 302, 429]
    assert sign("2001:db8:1:3::1") == 302  # the next /64: another home
    assert counted_as("::ffff:203.0.113.7") == "203.0.113.7"
    assert counted_as("203.0.113.7") == "203.0.113.7"
    assert counted_as("3f2a1b") == "3f2a1b"  # not an address
    # tor names each onion visitor's circuit in the last 32 bits of one /64: each apart
    assert counted_as("fc00:dead:beef:4dad::1:2") != counted_as("fc00:dead:beef:4dad::1:3")


def test_without_the_setting_a_forwarded_header_is_ignored(petition, settings):
    settings.PUBLIC_POST_RATE = "2/m"
    url = reverse("petitions:sign", args=[petition.slug])
    statuses = [
        Client(REMOTE_ADDR="203.0.113.5").post(url, {"name": "A"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_a_global_ceiling_holds_whatever_the_number_of_clients(petition, settings):
    settings.GLOBAL_POST_RATE = "3/m"
    url = reverse("petitions:sign", args=[petition.slug])
    statuses = [Client(REMOTE_ADDR=f"203.0.113.{i}").post(url, {"name": "A"}).status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Signature.objects.count() == 3


def test_limiter_entries_hold_keyed_hashes_that_expire(petition, settings):
    url = reverse("petitions:sign", args=[petition.slug])
    Client(REMOTE_ADDR="203.0.113.77").post(url, {"name": "A"})
    login(Client(REMOTE_ADDR="203.0.113.77"), "owner")
    store = caches["ratelimit"]._cache  # LocMemCache's dict of pickled values
    expiry = caches["ratelimit"]._expire_info
    assert store, "the limiter counted nothing"
    dump = repr(list(store.items())).encode()
    assert b"203.0.113" not in dump and b"owner" not in dump
    assert all(expiry[k] is not None for k in store)  # everything expires, the key too


def test_it_counts_under_a_keyed_hash_of_the_address_with_a_random_key(rf):
    from concerted.core.ratelimit import account_key, client_key

    request = rf.post("/accounts/login/", {"username": "owner"}, REMOTE_ADDR="203.0.113.1")
    first, account = client_key("g", request), account_key("g", request)
    assert client_key("g", request) == first and account_key("g", request) == account
    assert "203.0.113" not in first and "owner" not in account
    # The unkeyed digest an attacker with a memcached dump would try for every address:
    assert hashlib.blake2b(b"203.0.113.1", digest_size=16).hexdigest() != first
    caches["ratelimit"].clear()  # memcached restarted, or the key expired: a new key
    assert client_key("g", request) != first and account_key("g", request) != account


def test_it_refuses_several_workers_with_per_process_counters(settings, monkeypatch):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_MEMCACHED = ""
    assert "CONCERTED_RATELIMIT_MEMCACHED" in per_process_limiter_workers({"WEB_CONCURRENCY": "2"})
    assert per_process_limiter_workers({"WEB_CONCURRENCY": "1"}) is None
    settings.RATELIMIT_MEMCACHED = "127.0.0.1:11211"
    assert per_process_limiter_workers({"WEB_CONCURRENCY": "4"}) is None

    monkeypatch.delenv("CONCERTED_RATELIMIT_MEMCACHED", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    import concerted.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.workers == 1
    with pytest.raises(SystemExit, match="per-process rate-limit counters"):
        conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=2)))
    conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))
    monkeypatch.setenv("CONCERTED_RATELIMIT_MEMCACHED", "127.0.0.1:11211")
    conf = importlib.reload(conf)
    conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=2)))


def test_the_refusal_says_when_to_come_back(petition, settings):
    settings.PUBLIC_POST_RATE = "1/10m"
    url = reverse("petitions:sign", args=[petition.slug])
    assert Client().post(url, {"name": "A"}).status_code == 302
    refused = Client().post(url, {"name": "A"})
    assert refused.status_code == 429 and refused["Retry-After"] == "600"

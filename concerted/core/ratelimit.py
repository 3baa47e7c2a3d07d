"""Rate limits on public POSTs and sign-in that keep no address at rest.

Counters live in the "ratelimit" cache: a memcached shared by every app process
(CONCERTED_RATELIMIT_MEMCACHED; memory only) or, without one, this process's memory.
Never a database or a file. What django-ratelimit counts under is a BLAKE2b of the
client address (or account name) keyed with a random secret that lives in that same
cache: made at the limiter's first use with add() (so all processes sharing a memcached
agree on one), expiring daily (so it rotates), and never written to disk. A seized disk
holds neither counters nor the key; a seized memcached holds hashes under a key that is
gone when its memory is."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.memcached import PyMemcacheCache
from django.http import HttpRequest
from django_ratelimit.core import _split_rate, is_ratelimited
from django_ratelimit.decorators import ratelimit
from pymemcache.client.rendezvous import RendezvousHash

KEY_NAME = "limiter-key"
KEY_LIFETIME = 24 * 3600  # the key rotates daily; counters under the old key just lapse
# With a shared memcached, each process keeps the key it read for at most this long (and
# never past the key's own expiry, stored with it, so every process rotates at the same
# moment): one network round trip less per public POST. After a memcached restart the
# processes agree on the new key within this time.
LOCAL_KEY_SECONDS = 60.0

_local_key: tuple[bytes, float] | None = None  # (key, monotonic time it is good until)


class MemcachedCache(PyMemcacheCache):
    """Django's pymemcache backend, keeping its connection between requests (as Django's
    pylibmc backend does): the stock one closes it at the end of every request, so every
    public POST paid a new TCP connection to memcached (bench/profile_sign.py). Each
    server thread has its own client (Django's caches are per thread); pymemcache
    reconnects by itself after an error."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._options.setdefault("hasher", _FewNodes)

    def close(self, **kwargs: Any) -> None:
        pass


class _FewNodes(RendezvousHash):
    """pymemcache's server choice, without hashing every key in pure Python when there
    is only one server to choose (the usual case: one memcached beside the app)."""

    def get_node(self, key: str) -> Any:
        if len(self.nodes) == 1:
            return self.nodes[0]
        return super().get_node(key)


def _shared_key() -> tuple[bytes, float]:
    cache = caches[settings.RATELIMIT_USE_CACHE]
    value = cache.get(KEY_NAME)
    if value is None:
        expires = time.time() + KEY_LIFETIME
        cache.add(KEY_NAME, f"{secrets.token_hex(32)}:{expires:.0f}", KEY_LIFETIME)  # the first process wins
        value = cache.get(KEY_NAME)
    if value is None:
        # The shared cache is unreachable: a throwaway key (django-ratelimit then fails
        # open), not kept, so the shared one is used as soon as the cache answers.
        return secrets.token_bytes(32), 0.0
    key, _sep, expires_text = value.partition(":")
    left = float(expires_text) - time.time() if expires_text.isdigit() else KEY_LIFETIME
    return bytes.fromhex(key), max(0.0, left)


def _limiter_key() -> bytes:
    global _local_key
    if not settings.RATELIMIT_MEMCACHED:
        return _shared_key()[0]  # this process's memory: reading it costs nothing
    now = time.monotonic()
    if _local_key is not None and now < _local_key[1]:
        return _local_key[0]
    key, left = _shared_key()
    _local_key = (key, now + min(LOCAL_KEY_SECONDS, left))
    return key


def keyed_hash(purpose: str, value: str) -> str:
    return hashlib.blake2b(
        value.encode("utf-8", "surrogatepass"), key=_limiter_key(), digest_size=16, person=purpose.encode()[:16]
    ).hexdigest()


def client_address(request: HttpRequest) -> str:
    """The client as the limiter sees it: the connection's address, or, behind a proxy
    we run (CONCERTED_CLIENT_IP_HEADER), the value that proxy put in its header. For
    X-Forwarded-For that is the last entry, the one our own proxy appended; a client's
    own X-Forwarded-For entries come before it and are ignored."""
    header = settings.CLIENT_IP_HEADER
    if header:
        raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        entries = [part.strip() for part in raw.split(",") if part.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR", "")


# tor's HiddenServiceExportCircuitID haproxy: each onion visitor arrives as an address in
# this /64 whose last 32 bits are their circuit (concerted/ops/deploy.py).
TOR_CIRCUITS = ipaddress.IPv6Network("fc00:dead:beef:4dad::/64")


def counted_as(address: str) -> str:
    """What the limiter counts under for one client address. An IPv6 address counts as
    its /64: one phone or home gets a whole /64 and picks new addresses in it at will
    (privacy addresses), so per address it could sign without limit. An onion circuit
    (TOR_CIRCUITS) counts as itself, and so does anything that is not an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if ip in TOR_CIRCUITS:
            return str(ip)  # one onion visitor's circuit, not a home network
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def client_key(group: str, request: HttpRequest) -> str:
    return keyed_hash("concerted-addr", counted_as(client_address(request)))


def account_key(group: str, request: HttpRequest) -> str:
    name = unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()
    return keyed_hash("concerted-acct", name)


def global_key(group: str, request: HttpRequest) -> str:
    return "all"


def _public_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_POST_RATE


def _global_rate(group: str, request: HttpRequest) -> str | None:
    return settings.GLOBAL_POST_RATE or None


def _login_rate(group: str, request: HttpRequest) -> str:
    return settings.LOGIN_RATE


def public_post_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Limit POSTs per client, and all clients together under a ceiling; GETs (reading a
    page, a mail scanner) are never limited."""
    limited = ratelimit(key=client_key, rate=_public_rate, method="POST", block=True)(view)
    return ratelimit(group="concerted-global", key=global_key, rate=_global_rate, method="POST", block=True)(limited)


def login_address_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    return ratelimit(group="concerted-login", key=client_key, rate=_login_rate, method="POST", block=True)(view)


def account_is_limited(request: HttpRequest) -> bool:
    """Count one sign-in attempt for the account named in the POST; True once it has had
    more than CONCERTED_LOGIN_RATE, from whatever addresses."""
    return is_ratelimited(
        request, group="concerted-login-account", key=account_key, rate=_login_rate, method="POST", increment=True
    )


def login_period_seconds() -> int:
    return int(_split_rate(settings.LOGIN_RATE)[1])

"""CSRF checks that work with `Referrer-Policy: no-referrer`.

With that policy browsers send `Origin: null` and no Referer on form posts, which
Django's stock middleware rejects. We keep the token check (with a SameSite=Strict
cookie) and replace the origin check by the browser's Fetch Metadata: a post whose
`Sec-Fetch-Site` says it came from another site is refused."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, REASON_BAD_ORIGIN, CsrfViewMiddleware

SAFE_FETCH_SITES = {"same-origin", "none"}


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def process_view(
        self, request: HttpRequest, callback: Callable[..., Any], callback_args: Any, callback_kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
            if fetch_site is not None and fetch_site not in SAFE_FETCH_SITES:
                return self._reject(request, REASON_BAD_ORIGIN % fetch_site)
            if request.META.get("HTTP_ORIGIN") == "null":
                del request.META["HTTP_ORIGIN"]
                request._concerted_no_referrer = True  # type: ignore[attr-defined]
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _check_referer(self, request: HttpRequest) -> None:
        if getattr(request, "_concerted_no_referrer", False) and "HTTP_REFERER" not in request.META:
            return
        super()._check_referer(request)


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {ch: i for i, ch in enumerate(_CHARS)}
_UNIFORM_BELOW = 256 - 256 % len(_CHARS)  # bytes below this map onto the alphabet evenly
# A random byte b < _UNIFORM_BELOW becomes _CHARS[b % 62]; the rest are dropped.
_TO_CHARS = bytes(ord(_CHARS[b % len(_CHARS)]) if b < _UNIFORM_BELOW else 0 for b in range(256))
_DROPPED = bytes(range(_UNIFORM_BELOW, 256))


def _random_string(length: int) -> str:
    # What django.utils.crypto.get_random_string gives (uniform over the alphabet, from
    # the OS's CSPRNG), from one os.urandom call instead of one per character: that was
    # a fifth of a cached sign page's CPU.
    out = b""
    while len(out) < length:
        out += secrets.token_bytes(length + 8).translate(_TO_CHARS, _DROPPED)
    return out[:length].decode("ascii")


def get_token(request: HttpRequest) -> str:
    """django.middleware.csrf.get_token (the same secret, cookie and masked form token,
    which Django's middleware checks as its own), with faster random strings. For the
    page cache, which puts a token into every cached sign page it serves."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = new_secret()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked_token(secret)


def new_secret() -> str:
    return _random_string(CSRF_SECRET_LENGTH)


def masked_token(secret: str) -> str:
    mask = _random_string(CSRF_SECRET_LENGTH)
    n = len(_CHARS)
    return mask + "".join(_CHARS[(_INDEX[x] + _INDEX[y]) % n] for x, y in zip(secret, mask, strict=True))


def cookie_header(secret: str) -> str:
    """The Set-Cookie header value Django's CSRF middleware sends for `secret` (its own
    code builds it, so the name, age, path, SameSite and Secure flags are the settings')."""
    response = HttpResponse()
    _cookie_writer()._set_csrf_cookie(SimpleNamespace(META={"CSRF_COOKIE": secret}), response)
    return response.cookies[settings.CSRF_COOKIE_NAME].output(header="")


@functools.cache
def _cookie_writer() -> NoReferrerCsrfViewMiddleware:
    return NoReferrerCsrfViewMiddleware(lambda request: HttpResponse())

"""Rate limits on public POSTs that keep no IP address at rest.

django-ratelimit counts in the process-memory cache; the key we give it is a BLAKE2b
of the client address under a random secret that exists only in this process's
memory, so neither the cache nor anything on disk holds an address."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit

_PROCESS_SECRET = secrets.token_bytes(32)


def client_key(group: str, request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.blake2b(address.encode(), key=_PROCESS_SECRET, digest_size=16).hexdigest()


def public_post_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Limit POSTs per client; GETs (reading a page, a mail scanner) are never limited."""
    return ratelimit(key=client_key, rate=lambda group, request: settings.PUBLIC_POST_RATE, method="POST", block=True)(
        view
    )

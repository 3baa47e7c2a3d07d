"""The one public address of this installation (`CONCERTED_PUBLIC_BASE_URL`).

Everything printed or shared — QR codes, flyers, invite links, ballot codes — is built
from it, never from the address a request happened to arrive on: a page opened through
an SSH tunnel or on localhost must not put that address on paper."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings


def base_url() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def public_url(path: str) -> str:
    return base_url() + ("/" + path.lstrip("/") if path else "")


def is_test_address(url: str | None = None) -> bool:
    """True when coworkers' phones can't reach the address: loopback, private ranges,
    link-local, `.local`/`.internal`/`.test` names, `localhost`."""
    host = (urlsplit(url or base_url()).hostname or "").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".test", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare name only resolves on a local network
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified

"""A blank sign page answered in front of Django, from the copy Django last served.

`pagecache` spares the render, but a cached sign page still went through Django's
whole request cycle: the middleware, the URL resolver, the subject's SELECT, the cache
key. That was more CPU than a bare insert's whole request, on every scan of a flyer
(docs/PERFORMANCE.md, issue 19). This WSGI layer keeps, per process, the final response
(status, headers, body with the token placeholder) of each blank page that
`pagecache.form_page` produced, and answers the next identical request with it for at
most TTL seconds: with a new CSRF secret and form token each time, made and written by
Django's own code (core/csrf.py), exactly as the middleware would.

What is answered here, and what is not:
- only a GET with no query string and no Cookie header: nobody signed in, no invite code
  (?code=), no messages, no returning visitor (whose form token must come from the
  secret in their own cookie). Everything else goes to Django;
- only a page `pagecache.form_page` marked as the same for every such visitor, and only
  if the one cookie it set was the CSRF cookie;
- only to a request with the same path, host, scheme and forwarded headers as the one
  it was taken from, and the same value of every header the response varies on;
- for at most TTL seconds, and no longer once this process saw a change the page
  depends on (a save of its subject or campaign, `pagecache.changed`: a release, a
  segment, a survey question). An edit made through another worker process, or by a
  queryset update(), shows within TTL. A signature changes none of these, so it never
  ends a page early: nothing here moves with a participant's action (invariant 11).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save

from . import csrf, pagecache

TTL = 1.0  # seconds
MAX_PAGES = 500
_PLACEHOLDER = pagecache.PLACEHOLDER.encode()

# What Django reads from a cookieless GET to decide its answer, besides the headers a
# response names in Vary: the address, the host (ALLOWED_HOSTS, absolute links) and the
# scheme (SECURE_PROXY_SSL_HEADER, HSTS, redirects to https).
_SAME = (
    "PATH_INFO",
    "SCRIPT_NAME",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Page:
    status: str
    headers: tuple[tuple[str, str], ...]  # without Set-Cookie and Content-Length
    body: bytes  # with pagecache.PLACEHOLDER where the form token goes
    varies: tuple[tuple[str, Any], ...]  # (environ key, value) the request must match
    until: float


class FastPages:
    def __init__(self, app: WSGIApp, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self.pages: dict[tuple[Any, ...], _Page] = {}
        # Bumped by every change: a page whose request began before a change is not kept.
        self.generation = 0
        _instances.add(self)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _blank_get(environ):
            return self.app(environ, start_response)
        key = tuple(environ.get(name) for name in _SAME)
        page = self.pages.get(key)
        if page is not None and self.clock() < page.until and all(environ.get(k) == v for k, v in page.varies):
            return _serve(page, start_response)
        generation = self.generation
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.app(environ, capture)
        marked = getattr(response, "concerted_page", None)
        if marked is not None and generation == self.generation and "status" in seen:
            body, depends_on = marked
            page = _page(environ, seen["status"], seen["headers"], body, self.clock() + TTL)
            if page is not None:
                for model in depends_on:
                    _watch(model)
                if len(self.pages) >= MAX_PAGES:
                    self.pages.clear()
                self.pages[key] = page
        return response

    def forget(self) -> None:
        self.generation += 1
        self.pages.clear()


def _blank_get(environ: dict[str, Any]) -> bool:
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and not environ.get("QUERY_STRING")
        and "HTTP_COOKIE" not in environ
        and not settings.CSRF_USE_SESSIONS
    )


def _page(environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes, until: float) -> _Page | None:
    if not status.startswith("200 ") or _PLACEHOLDER not in body:
        return None
    kept: list[tuple[str, str]] = []
    varies: list[tuple[str, Any]] = []
    for name, value in headers:
        lower = name.lower()
        if lower == "set-cookie":
            if not value.strip().startswith(settings.CSRF_COOKIE_NAME + "="):
                return None
            continue
        if lower == "content-length":
            continue
        if lower == "vary":
            for field in (f.strip().lower() for f in value.split(",")):
                if field == "*":
                    return None
                if field and field != "cookie":  # the Cookie header is absent on both requests
                    meta = "HTTP_" + field.upper().replace("-", "_")
                    varies.append((meta, environ.get(meta)))
        kept.append((name, value))
    return _Page(status, tuple(kept), body, tuple(varies), until)


def _serve(page: _Page, start_response: StartResponse) -> list[bytes]:
    secret = csrf.new_secret()
    body = page.body.replace(_PLACEHOLDER, csrf.masked_token(secret).encode())
    start_response(
        page.status,
        [*page.headers, ("Content-Length", str(len(body))), ("Set-Cookie", csrf.cookie_header(secret))],
    )
    return [body]


_instances: weakref.WeakSet[FastPages] = weakref.WeakSet()
_watched: set[type[models.Model]] = set()
_watch_lock = threading.Lock()


def forget_all(**kwargs: Any) -> None:
    for instance in list(_instances):
        instance.forget()


pagecache.changed.connect(forget_all, dispatch_uid="concerted.fastpages")


def _watch(model: type[models.Model]) -> None:
    if model in _watched:
        return
    with _watch_lock:
        if model not in _watched:
            uid = f"concerted.fastpages:{model._meta.label}"
            post_save.connect(forget_all, sender=model, dispatch_uid=uid + ":save", weak=False)
            post_delete.connect(forget_all, sender=model, dispatch_uid=uid + ":delete", weak=False)
            _watched.add(model)


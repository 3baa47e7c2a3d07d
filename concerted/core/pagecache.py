"""The page around a participant form, rendered once and served from memory.

A sign page is the same for every visitor who arrives without a cookie: the subject's
text, the released figures, the form's empty fields. Only the CSRF token differs. So
the page is rendered once with a placeholder where the token goes, kept in this
process's cache, and each request gets a copy with its own token put in (and the CSRF
cookie set as `{% csrf_token %}` would).

What may be cached, and what may not:
- only a GET with no query string from a visitor with no session and no messages: a
  page for a signed-in organizer, an invite link (?code=) or a form with errors is
  always rendered fresh, so nothing anyone typed or anything about one visitor is kept;
- the key is a digest of everything the page shows: the subject's and campaign's rows
  as read for this request (so an edit through any path, even a queryset update(),
  makes a new key), the campaign's `public_version` (bumped through `changed` when
  something else a public page shows changes: a release, a segment), the next release
  time, the day, the language and the path. Several processes need no coordination:
  each reads the same rows from the database and so computes the same key.
- nothing a participant's action changes is in the key (not the Release row's pending
  count), so a signature never causes a cache miss that a poller could time: public
  pages still move only at releases (DESIGN invariant 11).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from . import days
from .csrf import get_token

# What `{% csrf_token %}` renders into the cached copy; replaced per request. Letters
# only, so no escaping changes it, and 64 long like a real token.
PLACEHOLDER = "CONCERTEDPAGECACHECSRFTOKENPLACEHOLDERxxxxxxxxxxxxxxxxxxxxxxxxxx"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
CACHE_ALIAS = "pages"
TIMEOUT = 3600

# Sent with campaign=<campaign instance or pk> when something a public page of that
# campaign shows changed outside the subject's and campaign's own rows.
changed = Signal()


def row_values(obj: models.Model) -> tuple[Any, ...]:
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    # The informant test's control run shows live figures; never keep those.
    return not getattr(settings, "CONCERTED_LIVE_FIGURES", False)


def key_for(request: HttpRequest, template: str, parts: Iterable[Any]) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in (
        request.path,
        translation.get_language(),
        template,
        # The UTC day of concerted/core/days.py, the day a page shows as a participant's
        # (a card's date). Rules that follow the installation's midnight instead (a pledge's
        # deadline, a survey's opening and closing days) put their answer in `extra`.
        days.today().isoformat(),
        *parts,
    ):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return "page:" + digest.hexdigest()


def form_page(
    request: HttpRequest,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    rows: Iterable[models.Model],
    extra: Iterable[Any] = (),
) -> HttpResponse:
    """render(request, template, context()) for a participant form's blank GET, from
    memory when the same page was rendered before. `rows` are the model instances the
    page shows (subject, campaign: their field values go into the key); `extra` is
    anything else it depends on (the next release time, open or closed)."""
    if not cacheable(request):
        return render(request, template, context())
    key = key_for(request, template, [*(row_values(row) for row in rows), *extra])
    cache = caches[CACHE_ALIAS]
    body = cache.get(key)
    if body is None:
        fresh = render(request, template, {**context(), "csrf_token": PLACEHOLDER})
        if fresh.status_code != 200 or _PLACEHOLDER_BYTES not in fresh.content:
            return render(request, template, context())
        body = fresh.content
        cache.set(key, body, TIMEOUT)
    response = HttpResponse(body.replace(_PLACEHOLDER_BYTES, get_token(request).encode()))
    # For concerted.core.fastpages, which may answer the next identical request with
    # this page before Django: the body with the placeholder, and the models whose
    # saves end it early.
    response.concerted_page = (body, tuple({type(row) for row in rows}))  # type: ignore[attr-defined]
    return response


_next_cache: dict[str, tuple[datetime.datetime, datetime.datetime]] = {}


def next_release(times_text: str) -> datetime.datetime:
    """The next scheduled release moment (shown on the page, so part of its key); the
    same answer until that moment passes, so kept until then."""
    from . import releases

    now = releases.now()
    since, until = _next_cache.get(times_text, (now, now))
    if since <= now < until:  # no scheduled moment between `since` and `until`
        return until
    try:
        times = _parsed_times(times_text or releases.DEFAULT_TIMES)
    except ValueError:
        times = _parsed_times(releases.DEFAULT_TIMES)
    found = releases.next_time(times, now)
    if len(_next_cache) < 1000:
        _next_cache[times_text] = (now, found)
    return found


_times_cache: dict[str, list[datetime.time]] = {}


def _parsed_times(text: str) -> list[datetime.time]:
    from . import releases

    times = _times_cache.get(text)
    if times is None:
        times = releases.parse_times(text)
        if len(_times_cache) < 1000:
            _times_cache[text] = times
    return times


def watch(model: type[models.Model], campaign: Callable[[Any], Any]) -> None:
    """A public page shows rows of `model`: a save or delete of one sends `changed` for
    its campaign, so cached pages of that campaign are rendered again."""

    def send(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        try:
            owner = campaign(instance)
        except models.ObjectDoesNotExist:
            return
        if owner is not None:
            changed.send(sender=model, campaign=owner)

    uid = f"concerted.pagecache:{model._meta.label}"
    post_save.connect(send, sender=model, dispatch_uid=uid + ":save", weak=False)
    post_delete.connect(send, sender=model, dispatch_uid=uid + ":delete", weak=False)


def memoized(key: str, version: Any, make: Callable[[], Any]) -> Any:
    """A value that is the same for every visitor (a form's group choices), kept per
    process under `key` and made again when `version` changes."""
    cache = caches[CACHE_ALIAS]
    full = f"memo:{key}:{version!r}"
    value = cache.get(full)
    if value is None:
        value = make()
        cache.set(full, value, TIMEOUT)
    return value

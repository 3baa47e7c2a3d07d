"""A participant form is stored once, however often it is sent.

On a slow connection a double tap, or Back then Submit again, sends the same form twice
(or three times). Each copy used to be stored, and the person only ever saw the last
receipt: the first copies could never be checked or withdrawn, a signature showed up
several times on the list delivered to management, and with an invite code the second
tap was told "that code doesn't work" although the first had stored the answer.

The form's one-time identity is the masked CSRF token in it: every participant form
page carries its own (`{% csrf_token %}` masks the secret anew on every render, and the
page cache and fastpages put a fresh one into each copy they serve), and a repeat sends
the same one again. So:

- `@sentonce.form` on a participant POST view looks the token up first, before anything
  else is read, checked or used (an invite code): a form sent before is answered with a
  303 redirect to its first answer (the receipt), and nothing is stored;
- the view stores inside `with sentonce.remembered(request) as remember:` and calls
  `remember(url)` with its redirect: one transaction holds the participant's record and
  the `SentForm` row, so of two racing taps only one stores. The loser fails on the
  row's primary key (or on the invite code the winner used up), its record is rolled
  back, and it gets the winner's answer. Only a success is remembered: a form with
  errors is rendered again with a new token anyway.

What the server keeps (`SentForm`): a hash of the token and the form's address as the
key, the answer (its redirect, which holds the receipt code: a secret) encrypted under
a key derived from the token, and the day. The token itself is never stored and can't
be rebuilt from anything on the server (its secret is in the browser's cookie), so a
seized copy can open no answer. `concerted tick` erases the rows of earlier days
through the one erase path. The answer depends only on the token, which only the
browser that got the page holds: nothing answers differently for a contact that took
part before (invariant 10).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import nacl.exceptions
import nacl.secret
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import ngettext

from . import records
from .days import today
from .models import SentForm

TOKEN_FIELD = "csrfmiddlewaretoken"
PAD = 256  # answers are padded to a multiple of this: the length says nothing of which form
_ID_PERSON = b"concerted-sent-i"  # BLAKE2b personalizations (at most 16 bytes), one per use
_KEY_PERSON = b"concerted-sent-k"

# The views that remember their forms (`@form`): the registry the tests run over.
_views: list[Callable[..., HttpResponse]] = []


class Repeated(Exception):  # not an error: the answer of a race's loser
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("this form was stored before")
        self.response = response


def _token(request: HttpRequest) -> str | None:
    token = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    # The middleware has checked it against the cookie; a missing one remembers nothing.
    return token if 32 <= len(token) <= 128 else None


def _row_id(token: str, path: str) -> str:
    # The form's address too: a token sent to another form is no repeat of this one.
    data = token.encode() + b"\x00" + path.encode()
    return hashlib.blake2b(data, digest_size=32, person=_ID_PERSON).hexdigest()


def _box(token: str) -> nacl.secret.SecretBox:
    return nacl.secret.SecretBox(hashlib.blake2b(token.encode(), digest_size=32, person=_KEY_PERSON).digest())


_select: dict[str, str] = {}


def _first_answer(request: HttpRequest) -> HttpResponse | None:
    """The redirect given to this form when it was first sent, or None. One SELECT by
    primary key, written out once (the sign path's speed: docs/PERFORMANCE.md)."""
    token = _token(request)
    if token is None:
        return None
    sql = _select.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        table = q(SentForm._meta.db_table)
        sql = _select[connection.vendor] = f"SELECT {q('answer')} FROM {table} WHERE {q('id')} = %s"  # noqa: S608 (names from _meta)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_row_id(token, request.path)])
        row = cursor.fetchone()
    if row is None:
        return None
    try:
        url = _box(token).decrypt(bytes(row[0])).rstrip(b"\x00").decode()
    except (nacl.exceptions.CryptoError, UnicodeDecodeError):
        return None
    if not url.startswith("/") or url.startswith("//"):
        return None
    return HttpResponseRedirect(url, status=303)


def form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a participant form's view: a form sent before is answered with its first
    answer, before the view reads or uses anything (an invite code); so is the loser of
    two racing taps (`remembered`)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            again = _first_answer(request)
            if again is not None:
                return again
        request._concerted_sent_once = True  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except Repeated as repeated:
            return repeated.response

    wrapper.concerted_sent_once = True  # type: ignore[attr-defined]
    _views.append(wrapper)
    return wrapper


def views() -> list[Callable[..., HttpResponse]]:
    return list(_views)


@contextlib.contextmanager
def remembered(request: HttpRequest) -> Iterator[Callable[[str], None]]:
    """One transaction for the participant's record and its SentForm row; yields
    `remember(url)`, called with the redirect once the record is stored. The apps' own
    atomic blocks inside nest as savepoints. If the block fails because a racing tap of
    the same form got there first (the row's key, or an invite code it used up), the
    record is rolled back and the view answers with the first tap's redirect."""
    if not getattr(request, "_concerted_sent_once", False):
        raise RuntimeError("sentonce.remembered() needs its view decorated with @sentonce.form")
    token = _token(request)
    if token is None:
        with transaction.atomic():
            yield lambda url: None
        return

    def remember(url: str) -> None:
        plain = url.encode()
        plain = plain.ljust(max(PAD, -(-len(plain) // PAD) * PAD), b"\x00")
        records.insert(SentForm(id=_row_id(token, request.path), answer=_box(token).encrypt(plain)))

    try:
        with transaction.atomic():
            yield remember
    except Exception:
        # Rolled back. A racing tap of this form that committed first explains it.
        again = _first_answer(request)
        if again is not None:
            raise Repeated(again) from None
        raise


def forget_old() -> list[str]:
    """Erase the rows of earlier days (`concerted tick`), leaving none of their bytes.
    A form stored today can be answered again until then. (A withdrawn record's row may
    stay until it expires: its answer opens only with the token, and the receipt in it
    no longer works.)"""
    erased = records.erase(SentForm.objects.filter(day__lt=today()))
    return [
        ngettext(
            "%(n)d remembered form answer from before today erased.",
            "%(n)d remembered form answers from before today erased.",
            erased,
        )
        % {"n": erased}
    ]

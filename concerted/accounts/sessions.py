"""Organizer sessions the organizer can see and end, and the two-factor state of each.

A session is listed by the name its organizer chose at sign-in and the day it began;
nothing about the browser or its address is recorded. Each Django session carries the
id of its `OrganizerSession` row; when the row is gone the session is over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from concerted.core import refused
from concerted.core.days import today
from concerted.core.hashing import new_code

from .models import OrganizerSession

SID = "concerted_sid"
TWO_FACTOR = "concerted_2fa"
PENDING_NAME = "concerted_session_name"
PENDING_TWO_FACTOR = "concerted_2fa_pending_ok"


class TwoFactorRequired(Exception):
    """Raised by the campaign access check; the middleware turns it into a redirect."""


def session_has_two_factor(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(TWO_FACTOR))


def mark_two_factor(request: HttpRequest) -> None:
    request.session[TWO_FACTOR] = True
    OrganizerSession.objects.filter(pk=request.session.get(SID)).update(two_factor=True)


@receiver(user_logged_in)
def _record_session(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    name = (request.session.pop(PENDING_NAME, "") or "").strip() or _("A browser")
    verified = bool(request.session.pop(PENDING_TWO_FACTOR, False))
    sid = new_code(24)
    OrganizerSession.objects.create(id=sid, user=user, name=name[:60], day=today(), two_factor=verified)
    request.session[SID] = sid
    request.session[TWO_FACTOR] = verified


@receiver(user_logged_out)
def _forget_session(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        OrganizerSession.objects.filter(pk=request.session.get(SID)).delete()


def known_sessions(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Ends a session whose row was deleted (ended from another browser), and sends a
    request that needs two-factor sign-in to the page that sets it up."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            sid = request.session.get(SID)
            if not sid or not OrganizerSession.objects.filter(pk=sid, user=user).exists():
                logout(request)
        return get_response(request)

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TwoFactorRequired):
            messages.error(
                request,
                _("This campaign requires two-factor sign-in. Turn it on (or sign in again with your code) first."),
            )
            return redirect("accounts:two_factor")
        return None

    middleware.process_exception = process_exception  # type: ignore[attr-defined]
    return middleware


def signed_out_post(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A form sent after the session ended (CONCERTED_SESSION_MINUTES without a page) is
    sent to sign-in by login_required, and what was typed into it would be gone. Instead
    the answer says so and shows what was sent, read-only, to copy into the form again."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.method != "POST" or response.status_code != 302:
            return response
        user = getattr(request, "user", None)
        location = response.get("Location", "")
        if (user is not None and user.is_authenticated) or not location.startswith(
            resolve_url(settings.LOGIN_URL) + "?"
        ):
            return response
        kept = refused.what_was_sent(request)
        # A browser that still sends a session cookie the server no longer knows was signed
        # in. One without it was too if it sent words from one of our own pages (a browser
        # restarted with the tab restored drops its session cookie). A stranger is sent to
        # sign-in as before.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and not kept:
            return response
        context = {
            "kept": kept,
            "minutes": max(1, settings.SESSION_COOKIE_AGE // 60),
            "login_url": location,
        }
        return render(request, "errors/signed_out.html", context, status=403)

    return middleware

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from .models import ExportToken


def session_or_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in organizer (browser) or `Authorization: Bearer cxt_...` (the CLI)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Bearer "):
            user = ExportToken.user_for(header[7:].strip())
            if user is None:
                return HttpResponse("Invalid or expired token\n", status=401, content_type="text/plain")
            request.user = user  # type: ignore[assignment]
            request.via_token = True  # type: ignore[attr-defined]
        elif not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only `Authorization: Bearer cxt_...` (the CLI), never a session cookie. So the view
    may be csrf_exempt: another site can make a browser send the cookie, not the header."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        user = ExportToken.user_for(header[7:].strip()) if header.startswith("Bearer ") else None
        if user is None:
            return HttpResponse("A valid reveal token is needed\n", status=401, content_type="text/plain")
        request.user = user  # type: ignore[assignment]
        request.via_token = True  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper

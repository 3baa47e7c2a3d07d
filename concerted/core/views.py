from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import shortcodes


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def open_by_code(request: HttpRequest) -> HttpResponse:
    """The home page's "open by code" field. A GET form, so it works everywhere; the
    same answer for a wrong code and a draft, and no list of what exists."""
    typed = request.GET.get("code", "")[:200]
    path = shortcodes.open_code(typed)
    if path:
        return redirect(path)
    return render(request, "home.html", {"code": typed, "code_error": bool(typed.strip())}, status=404)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    found = finders.find("favicon.ico")
    response = HttpResponse(Path(found).read_bytes() if found else b"", content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/rate_limited.html", status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that could fail again: a plain template.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


def privacy_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Headers every page carries: no referrer, no caching of pages that may show a
    receipt or a name, no powerful browser features."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware


class UrlLanguageMiddleware(LocaleMiddleware):
    """The language is in the URL (`/es/p/<slug>/`) and nowhere else: no cookie, no
    session key, nothing stored with what the person did (on a multilingual unit the
    language narrows who someone is).

    An address without a prefix (every QR code printed before languages existed, the
    command-line tool's token requests) is answered in place, in the browser's
    `Accept-Language`: the page's own links and its language switch then carry a prefix.
    No redirect, so a form posted from an old page keeps what was typed."""

    def process_request(self, request: HttpRequest) -> None:
        path_language = translation.get_language_from_path(request.path_info)
        language = path_language or browser_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        if path_language or is_valid_path(request.path_info):
            return
        prefixed = f"/{language}{request.path_info}"
        if is_valid_path(prefixed):
            request.path_info = prefixed
            request.language_from_browser = True  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if getattr(request, "language_from_browser", False):
            patch_vary_headers(response, ("Accept-Language",))
        return response


def browser_language(request: HttpRequest) -> str:
    """The first supported language in `Accept-Language`, else the default. Unlike
    Django's own lookup it never reads a language cookie: none is ever set, and one
    planted by someone else must not decide either."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE

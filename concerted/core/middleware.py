from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
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


def method_not_allowed_page(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Django answers a wrong method (a GET of a POST-only action: a reloaded withdrawal,
    a bookmarked button, a language link) with an empty 405, which a browser shows as a
    broken page. This one says what happened and where to go, in the page's language."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code == 405 and not getattr(response, "content", b"x"):
            from django.shortcuts import render  # the template engine, only when it's needed

            page = render(request, "errors/405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
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
        # Not checked with is_valid_path first: Django resolves the path again anyway,
        # and an address that is not a page is a 404 with or without the prefix (now
        # in the browser's language). One URL resolution less per QR-code request.
        request.path_info = f"/{language}{request.path_info}"
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


class ConstantCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, building each header once. Without a nonce and without
    a view's own `csp_update`/`csp_replace`/`csp_exempt`, the policy is the same for
    every response, and building it (a dataclass copy, then joining every directive)
    cost more than the rest of a cached sign page's middleware. Any response that has
    one of those goes through django-csp unchanged."""

    _built: dict[bool, str] = {}

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, setting in (
            (False, HEADER, "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            value = self._built.get(report_only)
            if value is None:
                value = self._built[report_only] = build_policy(report_only=report_only)
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            if value and header not in response and not request.path_info.startswith(prefixes):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


# What a view sets on a response to change its policy (csp.decorators).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


@receiver(setting_changed)
def _policy_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ConstantCSPMiddleware._built.clear()

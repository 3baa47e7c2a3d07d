"""CSRF checks that work with `Referrer-Policy: no-referrer`.

With that policy browsers send `Origin: null` and no Referer on form posts, which
Django's stock middleware rejects. We keep the token check (with a SameSite=Strict
cookie) and replace the origin check by the browser's Fetch Metadata: a post whose
`Sec-Fetch-Site` says it came from another site is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_BAD_ORIGIN, CsrfViewMiddleware

SAFE_FETCH_SITES = {"same-origin", "none"}


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def process_view(
        self, request: HttpRequest, callback: Callable[..., Any], callback_args: Any, callback_kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
            if fetch_site is not None and fetch_site not in SAFE_FETCH_SITES:
                return self._reject(request, REASON_BAD_ORIGIN % fetch_site)
            if request.META.get("HTTP_ORIGIN") == "null":
                del request.META["HTTP_ORIGIN"]
                request._concerted_no_referrer = True  # type: ignore[attr-defined]
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _check_referer(self, request: HttpRequest) -> None:
        if getattr(request, "_concerted_no_referrer", False) and "HTTP_REFERER" not in request.META:
            return
        super()._check_referer(request)

"""HEAD answered with the headers a GET would get, and no body.

Django leaves removing a HEAD response's body to the WSGI server, and gunicorn doesn't
remove it: every `curl -I`, uptime monitor or link preview got the whole page after the
headers, and on a kept-alive connection the next response then began with that page's
`<!doctype html>` — the onion service, where no proxy stands in front of gunicorn,
served it that way. This layer, outermost in concerted/wsgi.py, drops the body for
HEAD whatever produced the response (Django, the fast pages, an error page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Application = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class NoBodyForHead:
    def __init__(self, app: Application) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return body
        # Not read (a PDF or a file response would be made or read for nothing), but
        # closed: that ends Django's request (request_finished, database connections).
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []

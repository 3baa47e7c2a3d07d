"""The language switch: plain links to the same page in each language. No form, no
cookie, no `set_language` view: the language lives in the address only."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.inclusion_tag("_languages.html", takes_context=True)
def language_switch(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if request is None:
            url = f"/{code}/"
        else:
            # path_info carries the prefix even when the address had none (see
            # UrlLanguageMiddleware). After a POST the address is usually the form's,
            # whose GET shows the same page, so the query string is kept only for a GET.
            # A page that answers a POST-only action (a withdrawal, a confirmation)
            # names the page to switch to instead: its own address answers only POSTs.
            query = request.META.get("QUERY_STRING", "") if request.method == "GET" else ""
            path = request.path_info if request.method == "GET" else context.get("language_path") or request.path_info
            url = translate_url(path + (f"?{query}" if query else ""), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"languages": links}

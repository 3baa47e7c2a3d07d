"""What a refused POST carried, shown back so nothing typed is lost.

A form refused before any form class saw it (an expired CSRF token, an organizer session
that ended while they wrote) can't be shown again with its fields filled in: the page
that answers shows each field read-only instead, to copy into the form again."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.forms import Form, Textarea
from django.forms.widgets import Input
from django.http import Http404, HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve

# Never shown back: secrets, and what isn't the sender's own words.
NOT_KEPT = ("csrfmiddlewaretoken", "password", "code", "token", "action", "confirm")
KEPT_MAX = 100_000
TYPED = ("text", "email", "tel", "url", "number", "search")


def what_was_sent(request: HttpRequest) -> list[tuple[str, str]]:
    """The non-empty text fields of this POST, by name, in order, at most KEPT_MAX
    characters in all. Only for a form sent from one of our own pages (the browser's
    Sec-Fetch-Site): another site could otherwise post words of its choosing and have
    them shown on our address as "what you wrote"."""
    if request.headers.get("Sec-Fetch-Site") != "same-origin":
        return []
    try:
        items = list(request.POST.lists())
    except (RequestDataTooBig, TooManyFieldsSent, UnreadablePostError, MultiPartParserError):
        return []
    kept: list[tuple[str, str]] = []
    size = 0
    for name, values in items:
        if any(word in name.lower() for word in NOT_KEPT):
            continue
        for value in values:
            if value.strip() and size + len(value) <= KEPT_MAX:
                kept.append((name, value))
                size += len(value)
    return kept


def labelled(kept: list[tuple[str, str]], form: Form) -> list[tuple[str, str]]:
    """The same fields under the labels the form shows them with, where the page knows
    the form (a petition that closed while someone wrote), not its field names. Only
    what was typed: a ticked box ("on") or a chosen group ("3") is quicker to choose
    again than to read back, and means nothing under a label."""
    shown = []
    for name, value in kept:
        field = form.fields.get(name)
        if field is None:
            shown.append((name, value))
        elif isinstance(field.widget, Textarea) or (
            isinstance(field.widget, Input) and field.widget.input_type in TYPED
        ):
            shown.append((str(field.label or name), value))
    return shown


# view name ("petitions:sign") -> the blank form its page shows, from the URL's arguments
_forms: dict[str, Callable[..., Form]] = {}


def register_form(view_name: str, blank_form: Callable[..., Form]) -> None:
    """A participant form's page, so the expired-form page can show what was sent under
    the form's own labels (in the page's language)."""
    _forms.setdefault(view_name, blank_form)


def form_for(request: HttpRequest) -> Form | None:
    """The blank form of the page this POST was sent to, if its app registered it."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    blank_form = _forms.get(match.view_name)
    if blank_form is None:
        return None
    try:
        return blank_form(**match.kwargs)
    except Http404:  # the petition is gone or never was: its field names will do
        return None

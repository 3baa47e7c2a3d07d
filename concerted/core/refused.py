"""What a refused POST carried, shown back so nothing typed is lost.

A form refused before any form class saw it (an expired CSRF token, an organizer session
that ended while they wrote) can't be shown again with its fields filled in: the page
that answers shows each field read-only instead, to copy into the form again."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.forms import Form
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

# Never shown back: secrets, and what isn't the sender's own words.
NOT_KEPT = ("csrfmiddlewaretoken", "password", "code", "token", "action", "confirm")
KEPT_MAX = 100_000


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
    the form (a petition that closed while someone wrote), not its field names."""
    labels = {name: str(field.label) for name, field in form.fields.items() if field.label}
    return [(labels.get(name, name), value) for name, value in kept]

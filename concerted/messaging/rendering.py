"""One message as its recipient sees it: the same code renders the server's preview and
the mail the organizer's machine sends, so the preview can't differ from what goes out.

The words around the committee's text (the footer, the stop sentence, the HTML's
language) are in the message's language: the campaign's main language, which the server
puts in the message (`language`), never the language of the organizer's terminal. The
committee's text itself is in whatever language they wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from concerted.core import markdown

PREVIEW_TOKEN = "PREVIEW-STOP-LINK"


def stop_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/stop/{token}/"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


_LINK = "CONCERTED-STOP-LINK-PLACEHOLDER"


def language_of(message: dict[str, Any]) -> str:
    """The language recipients read the words around the message in: the message's own
    (the campaign's main language, set by the server), one of ours; otherwise the one
    active (a download from a server that didn't name one)."""
    code = str(message.get("language") or "")
    if code in dict(settings.LANGUAGES):
        return code
    return translation.get_language() or settings.LANGUAGE_CODE


class Renderer:
    """Renders the body once; each recipient only gets their own stop link put in
    (10,000 messages must not parse the Markdown 10,000 times). A stop link is made of
    URL-safe characters only, so putting it into the HTML needs no escaping."""

    def __init__(self, message: dict[str, Any]) -> None:
        self.subject = str(message.get("subject") or "")
        self.language = language_of(message)
        with translation.override(self.language):
            self.text, self.html = self._render(message)

    def _render(self, message: dict[str, Any]) -> tuple[str, str]:
        body_text = str(message.get("text") or "").strip() or markdown.to_text(str(message.get("body") or ""))
        footer = _(
            "You get this because you agreed that %(committee)s may write to you about %(campaign)s. "
            "To stop these messages, open this link and press the button: %(link)s"
        ) % {
            "committee": message.get("committee") or _("the committee"),
            "campaign": message.get("campaign") or "",
            "link": _LINK,
        }
        html = render_to_string(
            "messaging/email.html",
            {
                "subject": self.subject,
                "body_html": markdown.to_html(str(message.get("body") or "")),
                "committee": message.get("committee") or "",
                "campaign": message.get("campaign") or "",
                "stop_link": _LINK,
                "language": self.language,
            },
        )
        return f"{body_text}\n\n-- \n{footer}\n", html

    def for_link(self, stop_link: str) -> Rendered:
        if not all(ch.isalnum() or ch in ":/.-_~%[]" for ch in stop_link):
            raise ValueError("a stop link with unexpected characters")
        return Rendered(self.subject, self.text.replace(_LINK, stop_link), self.html.replace(_LINK, stop_link))


def render(message: dict[str, Any], stop_link: str) -> Rendered:
    """`message`: subject, body (Markdown), text (plain alternative, may be empty),
    committee, campaign (names), language (the campaign's main language)."""
    return Renderer(message).for_link(stop_link)

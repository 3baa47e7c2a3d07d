"""One confirmation step for every action that can't be undone (withdraw, revoke,
delete, destroy): the first POST shows what will be lost and asks again; only a POST
carrying `confirm=yes` acts. Plain forms, so it works with JavaScript off."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


def ask(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    confirm_label: str,
    cancel_url: str,
    keeps: str = "",
    participant: bool = False,
    context: dict[str, object] | None = None,
    preview_url: str = "",
) -> HttpResponse:
    hidden = [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirm")]
    return render(
        request,
        "confirm.html",
        {
            **(context or {}),
            "base_template": "base.html" if participant else "organizer_base.html",
            "title": title,
            "consequences": consequences,
            "keeps": keeps,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "action_url": request.path,
            # The language switch leads back where Cancel does: this address takes only POSTs.
            "language_path": cancel_url,
            "hidden": hidden,
            "preview_url": preview_url,
        },
    )


def ask_to_open(
    request: HttpRequest,
    *,
    title: str,
    fixed: str,
    confirm_label: str,
    cancel_url: str,
    preview_url: str,
    context: dict[str, object] | None = None,
) -> HttpResponse:
    """Opening a draft (petition, pledge, survey) fixes what people sign or answer, for
    good: on launch day a typo found a minute later can't be mended, so opening asks
    once, with the phone preview one tap away."""
    return ask(
        request,
        title=title,
        consequences=[
            _("Its page goes online: anyone with its address or a flyer's QR code can open it."),
            fixed,
            _("It can't go back to a draft. You can close it at any time."),
        ],
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        context=context,
        preview_url=preview_url,
    )

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import _split_rate

from . import refused, releases, shortcodes, translations


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_safe
def open_by_code(request: HttpRequest) -> HttpResponse:
    """The home page's "open by code" field. A GET form, so it works everywhere; the
    same answer for a wrong code and a draft, and no list of what exists."""
    typed = request.GET.get("code", "")[:200]
    path = shortcodes.open_code(typed)
    if path:
        return redirect(path)
    error = _("Type the code from the flyer, then press Open.") if not typed.strip() else ""
    return render(request, "home.html", {"code": typed, "code_error": True, "code_error_text": error}, status=404)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    found = finders.find("favicon.ico")
    response = HttpResponse(Path(found).read_bytes() if found else b"", content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The wait the page names is the window of the limit that refused: sign-in has its own.
    match = request.resolver_match
    rate = settings.LOGIN_RATE if match is not None and match.namespace == "accounts" else settings.PUBLIC_POST_RATE
    minutes = max(1, math.ceil(_split_rate(rate)[1] / 60))
    response = render(request, "errors/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)  # at most the limit's window; clients and proxies read it
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    kept = refused.what_was_sent(request)
    form = refused.form_for(request) if kept else None
    return render(request, "errors/csrf.html", {"kept": refused.labelled(kept, form) if form else kept}, status=403)


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


@login_required
@require_POST
def release_now(request: HttpRequest, kind: str, subject_id: uuid.UUID) -> HttpResponse:
    """An organizer releases new public figures before the next scheduled time; refused
    unless at least releases.MIN_ACTIONS actions arrived since the last release."""
    subject = _released_subject_for_organizer(request, kind, subject_id)
    if releases.force(subject, name=kind):
        messages.success(request, _("New figures are released: public pages show them now."))
    else:
        messages.error(
            request,
            _(
                "Not released: fewer than %(n)d people have acted since the last release, so the change would "
                "point at them. The figures update by themselves once enough have."
            )
            % {"n": releases.MIN_ACTIONS},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = "/"
    return redirect(back)


def _released_subject_for_organizer(request: HttpRequest, kind_name: str, subject_id: uuid.UUID) -> Any:
    """The subject of a registered release kind, checked through the one access helper
    (roles, two-factor): releasing is a change, so read-only organizers can't."""
    from concerted.campaigns.access import campaign_for_organizer

    kind = next((k for k in releases.kinds() if k.name == kind_name), None)
    if kind is None or not request.user.is_authenticated:
        raise Http404
    subject = kind.subject._default_manager.filter(pk=subject_id).first()
    if subject is None:
        raise Http404
    campaign_for_organizer(request, kind.campaign(subject).pk)
    return subject


def _translatable_for_organizer(request: HttpRequest, kind: str, pk: uuid.UUID, language: str) -> Any:
    """The content whose text is translated, checked through the one access helper
    (roles, two-factor): reading the form needs read-only, saving needs organizer."""
    from concerted.campaigns.access import campaign_for_organizer

    model = translations.model_for(kind)
    if model is None or not request.user.is_authenticated:
        raise Http404
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    campaign_for_organizer(request, obj.campaign_id_for_access())
    if language not in dict(translations.other_languages(obj)):
        raise Http404
    return obj


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def translation_edit(request: HttpRequest, kind: str, pk: uuid.UUID, language: str) -> HttpResponse:
    """The text of a petition, pledge, card, survey or demand in another language."""
    obj = _translatable_for_organizer(request, kind, pk, language)
    if obj.content_locked():
        # What coworkers sign, pledge or answer is fixed, in every language: a version
        # can't be added, changed or removed (core/translations.py). The page says so.
        return render(
            request,
            "translation_form.html",
            {
                "subject": obj,
                "locked": translations.LOCKED,
                "language_code": language,
                "language": translations.language_name(language),
            },
            status=200 if request.method == "GET" else 403,
        )
    form = translations.TranslationForm(request.POST or None, obj=obj, language=language)
    if request.method == "POST" and form.is_valid():
        form.save()
        name = translations.language_name(language)
        if form.removes:
            messages.success(request, _("The %(language)s version is removed.") % {"language": name})
        else:
            messages.success(request, _("The %(language)s version is saved.") % {"language": name})
        return redirect(obj.organizer_url())
    return render(
        request,
        "translation_form.html",
        {
            "form": form,
            "subject": obj,
            "language_code": language,
            "language": translations.language_name(language),
            "main_language": translations.language_name(obj.main_language()),
            "state": next(s for s in translations.states(obj) if s["code"] == language),
        },
        status=400 if form.errors else 200,
    )

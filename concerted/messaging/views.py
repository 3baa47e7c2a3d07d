"""Organizer pages to compose messages, the data `concerted send` downloads, and the
participants' stop pages (no JavaScript; a stop happens only on POST, since mail
scanners open links)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.accounts.models import ExportToken
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import audiences, export, public, ratelimit, receipts, records

from . import rendering
from .forms import MessageForm
from .models import Message

FORMAT = "concerted-message/1"


def message_for_organizer(request: HttpRequest, message_id: uuid.UUID) -> Message:
    message = Message.objects.filter(pk=message_id).first()
    if message is None or not request.user.is_authenticated:
        raise Http404
    campaign_for_organizer(request, message.campaign_id)
    return message


def _audience(message: Message) -> tuple[audiences.Audience, Any]:
    audience = audiences.get(message.audience)
    parent = audience.parent(message.campaign, message.audience_parent) if audience else None
    if audience is None or parent is None:
        raise Http404
    return audience, parent


def _as_dict(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.pk),
        "subject": message.subject,
        "body": message.body,
        "text": message.text,
        "committee": message.campaign.committee_name,
        "campaign": message.campaign.name,
        # What recipients read around the committee's text (footer, stop sentence) is in
        # the campaign's main language, not the sending organizer's terminal's.
        "language": message.campaign.language,
    }


def _audience_rows(campaign: Any) -> list[dict[str, Any]]:
    return [
        {"label": a.label, "title": a.title(p), "count": a.count(p), "refused": a.refuse(p), "dated": a.dated}
        for a, p in audiences.choices(campaign)
    ]


@login_required
@require_safe
def message_list(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    return render(
        request,
        "messaging/list.html",
        {"campaign": campaign, "messages_sent": campaign.messages.all(), "audiences": _audience_rows(campaign)},
    )


def _start_with(request: HttpRequest, campaign: Any) -> dict[str, str]:
    """`?to=AUDIENCE:PARENT` (a link from a pledge's dashboard, say) picks the audience
    and starts from its draft text, if it has one."""
    name, _sep, parent_id = request.GET.get("to", "").partition(":")
    audience = audiences.get(name)
    parent = audience.parent(campaign, parent_id) if audience else None
    if audience is None or parent is None:
        return {}
    subject, body = audience.draft(parent)
    return {"audience_choice": f"{name}:{parent.pk}", "subject": subject, "body": body}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = MessageForm(request.POST or None, campaign=campaign, initial=_start_with(request, campaign))
    context: dict[str, Any] = {"campaign": campaign, "form": form, "audiences": _audience_rows(campaign)}
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            # Nothing saved: the text as a recipient will see it, next to the form.
            context["preview"] = rendering.render(
                _as_dict(form.instance),
                rendering.stop_url(public.base_url(), rendering.PREVIEW_TOKEN),
            )
            return render(request, "messaging/form.html", context)
        message = form.save()
        messages.success(request, _("Message saved. Check the preview, then send it from your own computer."))
        return redirect("messaging:detail", message.pk)
    return render(request, "messaging/form.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def message_detail(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = message_for_organizer(request, message_id)
    audience, parent = _audience(message)
    preview = rendering.render(_as_dict(message), rendering.stop_url(public.base_url(), rendering.PREVIEW_TOKEN))
    return render(
        request,
        "messaging/message.html",
        {
            "campaign": message.campaign,
            "message": message,
            "audience": audience,
            "parent_title": audience.title(parent),
            "count": audience.count(parent),
            "refused": audience.refuse(parent),
            "preview": preview,
            "server": public.base_url(),
        },
    )


def _stopped_elsewhere(message: Message, audience: audiences.Audience, parent: Any) -> list[dict[str, Any]]:
    """The sealed records that stopped messages in the campaign's other audiences, one
    sealed export per set of records that has any, with what the sending machine needs
    to work out each one's current contact (the roster's log). The server can't tell
    whose they are (contacts are sealed) and compares nothing: the sending machine opens
    them and drops every contact that stopped anywhere in the campaign. Which rows
    stopped is the server's already (a clear flag); what they hold stays ciphertext."""
    found = []
    for other, other_parent in audiences.others(message.campaign, audience, parent):
        stopped = other.stopped(other_parent).order_by("id")
        rows = list(stopped)
        if rows:
            sealed = export.build(
                kind=other.model.KIND,
                campaign=message.campaign,
                parent_field=other.model.PARENT,
                parent=other.describe(other_parent),
                records=({**r.export_row(), "stopped": True} for r in rows),
            )
            found.append(
                {"audience_name": other.name, "export": sealed, "companions": other.companions(other_parent, stopped)}
            )
    return found


@session_or_token
@require_safe
def send_json(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """What `concerted send` downloads: the message and the sealed records of everyone in
    its audience who agreed to messages (stopped ones marked, so the sending machine
    drops their contacts everywhere), and the records that stopped in the campaign's
    other audiences. No key, no address: ciphertext only."""
    message = message_for_organizer(request, message_id)
    audience, parent = _audience(message)
    reason = audience.refuse(parent)
    if reason:
        return HttpResponse(reason + "\n", status=403, content_type="text/plain; charset=utf-8")
    rows = audience.records(parent).order_by("id")
    sealed = export.build(
        kind=audience.model.KIND,
        campaign=message.campaign,
        parent_field=audience.model.PARENT,
        parent=audience.describe(parent),
        records=({**r.export_row(), "stopped": not r.may_message} for r in rows),
    )
    data = {
        "format": FORMAT,
        "message": {
            **_as_dict(message),
            "audience": str(audience.label),
            "audience_name": audience.name,
            "stop_base": public.base_url(),
        },
        "export": sealed,
        "companions": audience.companions(parent, rows),
        "stopped_elsewhere": _stopped_elsewhere(message, audience, parent),
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.json"'
    return response


@csrf_exempt  # token only: a browser session can't reach this, so there is nothing to forge
@require_POST
def report_sent(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """The sender reports how many messages it handed to the mail server: a total."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    user = ExportToken.user_for(header[7:].strip()) if header.startswith("Bearer ") else None
    if user is None:
        return HttpResponse("Invalid or expired token\n", status=401, content_type="text/plain")
    request.user = user  # type: ignore[assignment]
    request.via_token = True  # type: ignore[attr-defined]
    message = message_for_organizer(request, message_id)
    try:
        sent = int(json.loads(request.body.decode("utf-8"))["sent"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        return HttpResponse('Send {"sent": N}\n', status=400, content_type="text/plain")
    message.report_sent(sent)
    return HttpResponse("ok\n", content_type="text/plain")


# --- participants ----------------------------------------------------------------------


@ratelimit.public_post_limit
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """The stop link in every message. GET only shows a button (mail scanners follow
    links); POST stops. Known, unknown and already-stopped tokens get the same pages, so
    the page tells nobody whether a token belongs to anyone."""
    if request.method == "POST":
        records.stop_messages(token)
        return render(request, "messaging/stopped.html")
    return render(request, "messaging/stop.html")


@ratelimit.public_post_limit
@require_POST
def stop_by_receipt(request: HttpRequest) -> HttpResponse:
    """From a receipt page: the participant holds the receipt code."""
    kind_label, code = request.POST.get("kind", ""), request.POST.get("code", "")
    model = next((k for k in records.kinds() if k._meta.label == kind_label and k.has_receipts()), None)
    if model is not None and receipts.looks_valid(code):
        record = model.objects.filter(receipt_hash=receipts.receipt_hash(code)).first()
        if record is not None:
            records.stop_messages_by_receipt(record)
    # This address takes only POSTs: the language switch leads to the home page.
    return render(request, "messaging/stopped.html", {"language_path": reverse("home")})

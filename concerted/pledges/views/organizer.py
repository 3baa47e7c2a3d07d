"""Organizer pages for pledges: write, open, watch, confirm, export once active."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token, token_required
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm as confirm_step
from concerted.core import records, releases, translations
from concerted.core.days import local_today

from ..forms import PledgeForm, PledgeSetupForm
from ..models import MIN_THRESHOLD, Commitment, Pledge, State
from .public import progress_context


def pledge_for_organizer(request: HttpRequest, pledge_id: uuid.UUID) -> Pledge:
    pledge = records.parent_for_organizer(request, Pledge, pledge_id)
    pledge.lapse_if_due()
    return pledge


def _preview_form(request: HttpRequest, form: PledgeSetupForm, context: dict[str, object]) -> HttpResponse:
    """The editor's preview (a second submit button, so no JavaScript): nothing saved."""
    form.is_valid()
    text = "\n\n".join(t for t in (request.POST.get("promise", ""), request.POST.get("body", "")) if t.strip())
    return render(
        request,
        "pledges/form.html",
        {**context, "form": form, "preview_text": text},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pledge_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = PledgeSetupForm(request.POST or None, instance=Pledge(campaign=campaign))
    if "preview" in request.POST:
        return _preview_form(request, form, {"campaign": campaign})
    if request.method == "POST" and form.is_valid():
        pledge = form.save()
        messages.success(request, _("Pledge saved as a draft. Preview it, then open it."))
        return redirect("pledges:dashboard", pledge.pk)
    return render(
        request, "pledges/form.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pledge_edit(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    pledge = pledge_for_organizer(request, pledge_id)
    if pledge.status != Pledge.Status.DRAFT:
        messages.error(request, _("The terms of a pledge are fixed once it opens: people pledged to them."))
        return redirect("pledges:dashboard", pledge.pk)
    form = PledgeSetupForm(request.POST or None, instance=pledge)
    if "preview" in request.POST:
        return _preview_form(request, form, {"campaign": pledge.campaign, "pledge": pledge})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Pledge saved."))
        return redirect("pledges:dashboard", pledge.pk)
    return render(
        request,
        "pledges/form.html",
        {"form": form, "campaign": pledge.campaign, "pledge": pledge},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    pledge = pledge_for_organizer(request, pledge_id)
    context = progress_context(pledge, exact=True)
    return render(
        request,
        "pledges/dashboard.html",
        {
            "pledge": pledge,
            "campaign": pledge.campaign,
            "can_confirm": pledge.can_confirm(context["count"]),  # type: ignore[arg-type]
            "release_status": releases.status(pledge) if pledge.status != Pledge.Status.DRAFT else None,
            **context,
        },
    )


@login_required
@require_safe
def preview(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    pledge = pledge_for_organizer(request, pledge_id)
    return render(
        request,
        "pledges/pledge.html",
        {
            "pledge": pledge,
            "campaign": pledge.campaign,
            "form": PledgeForm(pledge=pledge),
            "preview": True,
            **progress_context(pledge),
        },
    )


@login_required
@require_POST
def open_pledge(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    pledge = pledge_for_organizer(request, pledge_id)
    if pledge.status != Pledge.Status.DRAFT:
        messages.error(request, _("Only a draft can be opened."))
    elif not pledge.campaign.has_key:
        messages.error(request, _("Add the committee public key before opening: pledges are sealed to it."))
    elif pledge.deadline < local_today():  # the deadline ends at midnight in the installation's zone
        messages.error(request, _("The deadline has passed. Edit the draft and pick a new deadline."))
    elif not pledge.threshold():
        messages.error(request, _("Set a threshold first (the campaign needs a unit size for a percentage)."))
    elif pledge.threshold() < MIN_THRESHOLD:  # type: ignore[operator]
        messages.error(
            request,
            _(
                "The threshold is %(n)d people: it must be at least %(min)d, or nobody is safe in numbers. "
                "Edit the draft and raise it."
            )
            % {"n": pledge.threshold(), "min": MIN_THRESHOLD},
        )
    elif not confirm_step.confirmed(request):
        return confirm_step.ask_to_open(
            request,
            title=_("Open this pledge?"),
            fixed=_(
                "Its terms, deadline and threshold (%(n)d people) are fixed from then on, in every language, as "
                "people pledge to them."
            )
            % {"n": pledge.threshold()},
            confirm_label=_("Yes, open the pledge"),
            cancel_url=reverse("pledges:dashboard", args=[pledge.pk]),
            preview_url=reverse("pledges:preview", args=[pledge.pk]),
            context={"campaign": pledge.campaign},
        )
    else:
        pledge.open()
        messages.success(request, _("The pledge is open. Share its page or print its flyer."))
    return redirect("pledges:dashboard", pledge.pk)


def _people(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 9 else None


def confirm_on_count(pledge: Pledge, people: int) -> str | None:
    """Confirm on the committee's count of different people, by the same rules from the
    form and from `concerted reveal --confirm`; the reason it wasn't, or None."""
    if people < (pledge.threshold() or 0):
        return _("%(n)d different people is below the threshold of %(t)d: the pledge is not confirmed.") % {
            "n": people,
            "t": pledge.threshold() or 0,
        }
    if not pledge.confirm(people):
        return _("This pledge can't be confirmed now: it is not at its threshold, or it ended.")
    return None


def confirmed_message() -> str:
    return _(
        "Confirmed: the pledge is active. Nothing has been sent. Tell everyone to act together, "
        "and write to the pledgers who agreed to messages from this dashboard (Write to the pledgers)."
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    """The fallback: the count typed in by hand, for a committee that can't run
    `concerted reveal --confirm` against this server."""
    pledge = pledge_for_organizer(request, pledge_id)
    people = _people(request.POST.get("people", ""))
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
    elif people is None:
        messages.error(
            request,
            _(
                "Enter how many different people pledged: the number concerted reveal prints "
                "(“Different people: …”) after it removes repeats."
            ),
        )
    elif (refused := confirm_on_count(pledge, people)) is not None:
        messages.error(request, refused)
    else:
        messages.success(request, confirmed_message())
    return redirect("pledges:dashboard", pledge.pk)


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # authenticated by the token header only (token_required), never by a cookie
@token_required
@require_POST
def confirm_json(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    """`concerted reveal --pledge ID --confirm` reports the count of different people it
    found on the committee's machine: {"people": N, "records": M}, M being how many
    records it opened. A count made on other records than the server holds now (one
    pledged or withdrew since) is refused: the committee counts again."""
    pledge = pledge_for_organizer(request, pledge_id)
    try:
        body = json.loads(request.body.decode("utf-8"))
        people, opened = body["people"], body["records"]
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, RecursionError):
        return _plain(_('Send JSON: {"people": N, "records": M}.'), 400)
    if not all(type(n) is int and 0 <= n < 10**8 for n in (people, opened)):
        return _plain(_('Send JSON: {"people": N, "records": M}.'), 400)
    submissions = pledge.count()
    if opened != submissions:
        return _plain(
            _(
                "The pledges changed since you opened them (%(then)d records then, %(now)d now). "
                "Run concerted reveal again to count the different people."
            )
            % {"then": opened, "now": submissions},
            409,
        )
    refused = confirm_on_count(pledge, people)
    if refused is not None:
        return _plain(refused, 409)
    pledge.refresh_from_db()
    return JsonResponse(
        {
            "status": pledge.status,
            "confirmed_count": pledge.confirmed_count,
            "confirmed_on": pledge.confirmed_on.isoformat() if pledge.confirmed_on else "",
            "message": confirmed_message(),
        }
    )


@login_required
@require_POST
def call_off(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    pledge = pledge_for_organizer(request, pledge_id)
    if not confirm_step.confirmed(request):
        return confirm_step.ask(
            request,
            title=_("Call off “%(title)s” and destroy every pledge now?") % {"title": pledge.title},
            consequences=[
                _("Every sealed pledge is destroyed now, as if the deadline had passed."),
                _("Nobody, not even the committee with its key, can read or count them again."),
                _("The pledge closes; coworkers' receipts say it was called off."),
            ],
            confirm_label=_("Yes, call off and destroy"),
            cancel_url=reverse("pledges:dashboard", args=[pledge.pk]),
            context={"campaign": pledge.campaign},
        )
    if pledge.call_off():
        messages.success(request, _("Called off: every sealed pledge was destroyed. Nobody was exposed."))
    else:
        messages.error(request, _("Only an open pledge can be called off."))
    return redirect("pledges:dashboard", pledge.pk)


@session_or_token
@require_safe
def export_json(request: HttpRequest, pledge_id: uuid.UUID) -> HttpResponse:
    """The sealed pledges, only once the threshold was met and an organizer confirmed:
    safety in numbers means nobody can open names before then."""
    pledge = pledge_for_organizer(request, pledge_id)
    state = pledge.state()
    if state not in (State.ACTIVE, State.REACHED):
        return HttpResponse(
            _(
                "Pledges can be opened only after the threshold is reached and an organizer confirms. "
                "This pledge is: %(state)s\n"
            )
            % {"state": pledge.state().label},
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return records.export_response(
        model=Commitment,
        campaign=pledge.campaign,
        parent={
            "id": str(pledge.pk),
            "slug": pledge.slug,
            "title": pledge.title,
            "promise": pledge.promise,
            "translations": translations.for_export(pledge),
            "threshold": pledge.threshold(),
            "deadline": pledge.deadline.isoformat(),
            "status": pledge.status,
            "confirmed_on": pledge.confirmed_on.isoformat() if pledge.confirmed_on else "",
            # Reached but not confirmed: opened only to count different people (the CLI
            # writes no names); the committee confirms on that count.
            "count_only": state == State.REACHED,
        },
        records=Commitment.objects.filter(pledge=pledge).order_by("day", "id"),
        filename=f"pledge-{pledge.slug}-sealed.json",
    )

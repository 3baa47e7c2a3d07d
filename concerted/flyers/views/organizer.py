"""Organizer pages: the flyer PDF, and invite-code batches as tear-off cards.

The plaintext codes of a batch exist on the server only while the POST that makes the
batch runs: its response is the card PDF itself. What stays is a keyed hash of each
code and the code sealed to the committee key, which the server can't open: a lost PDF
is printed again on the committee's computer (`concerted codes print`, from the sealed
batch served here). A batch can be voided: its unused codes stop working."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.core import confirm, export
from concerted.core.paper import default as default_paper
from concerted.core.public import is_test_address
from concerted.invites import codes
from concerted.invites.forms import BatchForm
from concerted.invites.models import InviteBatch
from concerted.invites.usage import usage

from .. import pdf
from ..forms import FlyerForm
from ..targets import Flyer, for_organizer


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Card PDFs hold the only copy of their codes: no cache keeps one.
    response["Cache-Control"] = "no-store, private"
    return response


def _test_confirmed(request: HttpRequest) -> bool:
    """Printing for an address coworkers can't reach needs an explicit yes."""
    data = request.POST if request.method == "POST" else request.GET
    return not is_test_address() or data.get("test") == "yes"


def _flyer_form(request: HttpRequest) -> FlyerForm:
    """The flyer's paper as asked (a link or the form); asked for none, the installation's."""
    data = request.GET if request.method == "GET" and "paper" in request.GET else None
    # Its own ids: the batch form on the same page has a paper choice too.
    return FlyerForm(data, auto_id="id_flyer_%s")


def _page(
    request: HttpRequest,
    flyer: Flyer,
    form: BatchForm,
    status: int = 200,
    test_refused: bool = False,
    flyer_form: FlyerForm | None = None,
) -> HttpResponse:
    batches = usage(flyer.kind, flyer.target_id)
    return render(
        request,
        "flyers/page.html",
        {
            "flyer": flyer,
            "manage": True,
            "campaign": flyer.campaign,
            "form": form,
            "flyer_form": flyer_form or _flyer_form(request),
            "batches": batches,
            "max_batch": codes.MAX_BATCH,
            "test_address": is_test_address(),
            "test_refused": test_refused,
            "test_ticked": request.method == "POST" and request.POST.get("test") == "yes",
            "long_pitch": pdf.LONG_PITCH if len(flyer.pitch) > pdf.LONG_PITCH else 0,
        },
        status=status,
    )


@login_required
@require_safe
def page(request: HttpRequest, kind: str, target_id: uuid.UUID) -> HttpResponse:
    flyer = for_organizer(request, kind, target_id)
    return _page(request, flyer, BatchForm())


@login_required
@require_safe
def flyer_pdf(request: HttpRequest, kind: str, target_id: uuid.UUID) -> HttpResponse:
    flyer = for_organizer(request, kind, target_id)
    flyer_form = _flyer_form(request)
    if flyer_form.is_bound and not flyer_form.is_valid():
        # A paper this page never offered (a hand-edited address): say so on the form.
        return _page(request, flyer, BatchForm(), status=400, flyer_form=flyer_form)
    if not _test_confirmed(request):
        return _page(request, flyer, BatchForm(), status=400, test_refused=True, flyer_form=flyer_form)
    paper = flyer_form.cleaned_data["paper"] if flyer_form.is_bound else default_paper()
    test = is_test_address()
    return _pdf_response(pdf.build(flyer, paper, test=test), f"flyer-{flyer.kind}-{paper}{'-TEST' if test else ''}.pdf")


@login_required
@require_POST
def batch_new(request: HttpRequest, kind: str, target_id: uuid.UUID) -> HttpResponse:
    flyer = for_organizer(request, kind, target_id)
    form = BatchForm(request.POST)
    if not form.is_valid():
        return _page(request, flyer, form, status=400)
    if not _test_confirmed(request):
        return _page(request, flyer, form, status=400, test_refused=True)
    data = form.cleaned_data
    batch, plain = codes.create_batch(flyer.campaign, flyer.kind, flyer.target_id, data["count"], data["label"])
    document = pdf.build(flyer, data["paper"], codes=plain, poster=data["poster"], test=is_test_address())
    del plain
    return _pdf_response(document, f"invite-cards-{batch.created.isoformat()}-{str(batch.pk)[:8]}.pdf")


def batch_for_organizer(request: HttpRequest, batch_id: uuid.UUID) -> tuple[Flyer, InviteBatch]:
    """The batch and its target, if the signed-in user organizes its campaign; 404 otherwise."""
    batch = InviteBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    flyer = for_organizer(request, batch.target_kind, batch.target_id)
    if flyer.campaign.pk != batch.campaign_id:
        raise Http404
    return flyer, batch


@login_required
@require_POST
def batch_void(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    flyer, batch = batch_for_organizer(request, batch_id)
    page_url = reverse("flyers:page", args=[flyer.kind, flyer.target_id])
    if batch.voided:
        messages.info(request, _("That batch was already voided."))
        return redirect(page_url)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Void the batch “%(label)s”?") % {"label": batch.label or _("(no label)")},
            consequences=[
                # No count: an exact one, read now and at the next release, would tell
                # how many were used in between (invites/usage.py).
                _("Its unused codes stop working at once, on paper and in QR codes."),
                _("Their sealed copies are deleted: the cards can't be printed again."),
            ],
            keeps=_("What was already signed, answered or voted with its codes stays counted."),
            confirm_label=_("Yes, void these cards"),
            cancel_url=page_url,
            context={"campaign": flyer.campaign},
        )
    codes.void_batch(batch)
    messages.success(request, _("Batch voided: its unused codes no longer work."))
    return redirect(page_url)


def _refuse(message: str) -> HttpResponse:
    # Plain text: `concerted codes print` shows the server's own words.
    return HttpResponse(message + "\n", status=409, content_type="text/plain; charset=utf-8")


@session_or_token
@require_safe
def batch_sealed(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """The batch's unused codes, sealed to the committee key, with what a card prints:
    for `concerted codes print` on the committee's computer. Holds no key and no plaintext."""
    flyer, batch = batch_for_organizer(request, batch_id)
    if batch.voided:
        return _refuse(_("This batch was voided: its codes no longer work, and nothing is kept to print them."))
    if not batch.sealed:
        return _refuse(
            _(
                "This batch was made before codes were kept sealed (or without a committee key): it can't be printed again."
            )
        )
    data = export.build(
        kind=codes.SEALED_KIND,
        campaign=flyer.campaign,
        parent_field="batch",
        parent={
            "id": str(batch.pk),
            "label": batch.label,
            "created": batch.created.isoformat(),
            "size": batch.size,
            "target_kind": flyer.kind,
            "target_id": str(flyer.target_id),
            "headline": flyer.headline,
            "pitch": flyer.pitch,
            "public_url": flyer.public_url,
            "requires_invite": flyer.requires_invite,
            "privacy": flyer.privacy,
        },
        records=codes.sealed_records(batch),
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="invite-batch-{str(batch.pk)[:8]}-sealed.json"'
    response["Cache-Control"] = "no-store, private"
    return response

"""Organizer pages: the flyer PDF, and invite-code batches as tear-off cards.

The plaintext codes of a batch exist only while the POST that makes the batch runs:
its response is the card PDF itself. Lose the PDF and the codes are gone (make a new
batch); nothing on the server can print them again."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from concerted.core.public import is_test_address
from concerted.invites import codes
from concerted.invites.forms import BatchForm
from concerted.invites.models import InviteBatch

from .. import pdf
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


def _page(
    request: HttpRequest, flyer: Flyer, form: BatchForm, status: int = 200, test_refused: bool = False
) -> HttpResponse:
    batches = InviteBatch.objects.filter(target_kind=flyer.kind, target_id=flyer.target_id).order_by(
        "-created", "label"
    )
    return render(
        request,
        "flyers/page.html",
        {
            "flyer": flyer,
            "campaign": flyer.campaign,
            "form": form,
            "batches": batches,
            "max_batch": codes.MAX_BATCH,
            "test_address": is_test_address(),
            "test_refused": test_refused,
            "test_ticked": request.method == "POST" and request.POST.get("test") == "yes",
        },
        status=status,
    )


@login_required
@require_GET
def page(request: HttpRequest, kind: str, target_id: uuid.UUID) -> HttpResponse:
    flyer = for_organizer(request, kind, target_id)
    return _page(request, flyer, BatchForm())


@login_required
@require_GET
def flyer_pdf(request: HttpRequest, kind: str, target_id: uuid.UUID) -> HttpResponse:
    flyer = for_organizer(request, kind, target_id)
    paper = request.GET.get("paper", "letter")
    if paper not in pdf.PAPERS:
        paper = "letter"
    if not _test_confirmed(request):
        return _page(request, flyer, BatchForm(), status=400, test_refused=True)
    test = is_test_address()
    return _pdf_response(
        pdf.build(flyer, paper, test=test), f"flyer-{flyer.kind}-{paper}{'-TEST' if test else ''}.pdf"
    )


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

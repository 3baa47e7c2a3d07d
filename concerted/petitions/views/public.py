"""Participant pages: no JavaScript needed, nothing stored but the sealed row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.core import confirm, pagecache, receipts, refused, sentonce, subjects, translations
from concerted.core.kanon import show_count
from concerted.core.ratelimit import public_post_limit
from concerted.invites import codes as invite_codes

from .. import signing, stats
from ..forms import SignForm
from ..models import Petition


def _public_petition(slug: str) -> Petition:
    # The text in the page's language (core/translations.py): a signature belongs to the
    # petition, not to a language, so it counts once whichever it was given in.
    return translations.localize(subjects.by_slug(Petition, slug, hidden_status=Petition.Status.DRAFT))


def _context(petition: Petition, **extra: object) -> dict[str, object]:
    # Released figures only: a live count would show each arrival the moment it happens.
    progress, release = stats.public_progress(petition)
    return {
        "petition": petition,
        "campaign": petition.campaign,
        "public_total": show_count(progress.total),
        "progress": progress,
        "release": release,
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a repeat of this form (double tap, Back) gets its first receipt
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _public_petition(slug)
    extra: dict[str, object] = {}
    if request.method == "POST" and petition.is_open:
        form = SignForm(request.POST, petition=petition)
        if form.is_valid():
            try:
                with sentonce.remembered(request) as remember:
                    signed = signing.sign(petition, form.cleaned_data)
                    url = reverse("petitions:receipt", args=[petition.slug, signed.receipt_code]) + "?new=1"
                    remember(url)
            except signing.InviteRefused as problem:
                form.add_error("invite_code", problem.message)
            else:
                # A URL, not a view name: redirect() would first try it as one (a failed reverse()).
                return HttpResponseRedirect(url)
        status = 400
    elif request.method == "POST":
        # Closed while they wrote: nothing is saved, and what they typed is shown back.
        blank = SignForm(petition=petition)
        kept = refused.labelled(refused.what_was_sent(request), blank)
        return render(request, "petitions/sign.html", _context(petition, form=blank, kept=kept))
    else:
        # An invite link (?code=...) only fills the field in: a GET never uses a code up,
        # so a mail scanner or link preview that follows the link burns nothing.
        code = request.GET.get("code", "")[:40] if petition.requires_invite else ""
        if not code:
            return pagecache.form_page(
                request,
                "petitions/sign.html",
                lambda: _context(petition, form=SignForm(petition=petition)),
                rows=[petition, petition.campaign],
                extra=[pagecache.next_release(petition.campaign.release_times)],
            )
        form = SignForm(petition=petition, initial={"invite_code": invite_codes.prefill(code)})
        status = 200
        if petition.is_open:
            extra["invite_problem"] = invite_codes.message_for(code)
    return render(request, "petitions/sign.html", _context(petition, form=form, **extra), status=status)


@require_safe
def receipt(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    petition = _public_petition(slug)
    signature = signing.find_by_receipt(petition, code)
    if signature is None:
        return render(request, "petitions/receipt_unknown.html", _context(petition, typed=code[:64]), status=404)
    return render(
        request,
        "petitions/receipt.html",
        _context(
            petition,
            code=receipts.normalize(code),
            code_display=receipts.display(code),
            is_new=request.GET.get("new") == "1",
            signed_day=signature.day,
            record=signature,
        ),
    )


@require_safe
def receipt_lookup(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _public_petition(slug)
    code = receipts.typed_code(request.GET.get("code", ""))
    if code:
        if receipts.looks_valid(code) and signing.find_by_receipt(petition, code):
            return redirect("petitions:receipt", petition.slug, receipts.normalize(code))
        return render(
            request, "petitions/receipt_unknown.html", _context(petition, tried=True, typed=code[:64]), status=404
        )
    return render(request, "petitions/receipt_lookup.html", _context(petition))


@require_POST
@public_post_limit
def withdraw(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    petition = _public_petition(slug)
    signature = signing.find_by_receipt(petition, code)
    if signature is None:
        return render(request, "petitions/receipt_unknown.html", _context(petition, typed=code[:64]), status=404)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Withdraw your signature?"),
            consequences=[
                _("Your signature is deleted for good: your name and anything you wrote are erased."),
                _("Your receipt code stops working."),
                _("To sign again later you would start from the beginning."),
            ],
            confirm_label=_("Yes, withdraw my signature"),
            cancel_url=reverse("petitions:receipt", args=[petition.slug, receipts.normalize(code)]),
            participant=True,
            context=_context(petition),
        )
    signing.withdraw(signature)
    page = reverse("petitions:sign", args=[petition.slug])
    return render(request, "petitions/withdrawn.html", _context(petition, language_path=page))

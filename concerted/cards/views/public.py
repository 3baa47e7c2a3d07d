"""The card a coworker signs: no JavaScript, nothing stored but the sealed row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.core import confirm, pagecache, receipts, refused, sentonce, subjects, translations
from concerted.core.days import today
from concerted.core.kanon import show_count
from concerted.core.ratelimit import public_post_limit

from .. import signing, stats
from ..forms import CardForm
from ..models import BargainingUnit


def _public_unit(slug: str) -> BargainingUnit:
    # The card text in the page's language (core/translations.py); the row keeps the
    # version's hash, the same in every language (BargainingUnit.card_text_hash).
    return translations.localize(subjects.by_slug(BargainingUnit, slug, hidden_status=BargainingUnit.Status.DRAFT))


def _context(unit: BargainingUnit, **extra: object) -> dict[str, object]:
    total, release = stats.public_total(unit)
    return {
        "unit": unit,
        "campaign": unit.campaign,
        # Released figures only: a live count would show each arrival the moment it happens.
        "public_total": show_count(total),
        "release": release,
        "card_text": unit.rendered_card_text(),
        "today": today(),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
@sentonce.form  # a repeat of this form (double tap, Back) gets its first receipt
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    unit = _public_unit(slug)
    if request.method == "POST" and unit.is_open:
        form = CardForm(request.POST, unit=unit)
        if form.is_valid():
            with sentonce.remembered(request) as remember:
                signed = signing.sign_card(unit, form.cleaned_data)
                url = reverse("cards:receipt", args=[unit.slug, signed.receipt_code]) + "?new=1"
                remember(url)
            return redirect(url)
        status = 400
    elif request.method == "POST":
        # Closed while they wrote: nothing is saved, and what they typed is shown back.
        blank = CardForm(unit=unit)
        kept = refused.labelled(refused.what_was_sent(request), blank)
        return render(request, "cards/sign.html", _context(unit, form=blank, kept=kept))
    else:
        return pagecache.form_page(
            request,
            "cards/sign.html",
            lambda: _context(unit, form=CardForm(unit=unit)),
            rows=[unit, unit.campaign],
            extra=[pagecache.next_release(unit.campaign.release_times)],
        )
    return render(request, "cards/sign.html", _context(unit, form=form), status=status)


@require_safe
def receipt(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    unit = _public_unit(slug)
    card = signing.find_by_receipt(unit, code)
    if card is None:
        return render(request, "cards/receipt_unknown.html", _context(unit, typed=code[:64]), status=404)
    return render(
        request,
        "cards/receipt.html",
        _context(
            unit,
            code=receipts.normalize(code),
            code_display=receipts.display(code),
            is_new=request.GET.get("new") == "1",
            signed_day=card.day,
            record=card,
            text_changed=card.text_hash != unit.card_text_hash(),
        ),
    )


@require_safe
def receipt_lookup(request: HttpRequest, slug: str) -> HttpResponse:
    unit = _public_unit(slug)
    code = receipts.typed_code(request.GET.get("code", ""))
    if code:
        if receipts.looks_valid(code) and signing.find_by_receipt(unit, code):
            return redirect("cards:receipt", unit.slug, receipts.normalize(code))
        return render(request, "cards/receipt_unknown.html", _context(unit, tried=True, typed=code[:64]), status=404)
    return render(request, "cards/receipt_lookup.html", _context(unit))


@require_POST
@public_post_limit
def revoke(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    unit = _public_unit(slug)
    card = signing.find_by_receipt(unit, code)
    if card is None:
        return render(request, "cards/receipt_unknown.html", _context(unit, typed=code[:64]), status=404)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Revoke your card?"),
            consequences=[
                _("Your signed card is deleted for good and no longer counts toward the majority."),
                _("Your receipt code stops working; to support the union again you would sign a new card."),
            ],
            confirm_label=_("Yes, revoke my card"),
            cancel_url=reverse("cards:receipt", args=[unit.slug, receipts.normalize(code)]),
            participant=True,
            context=_context(unit),
        )
    signing.revoke(card)
    page = reverse("cards:sign", args=[unit.slug])
    return render(request, "cards/revoked.html", _context(unit, language_path=page))

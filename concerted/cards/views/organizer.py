"""Organizer pages for the card drive: the unit, progress, roster, one-on-ones,
wall chart, exports for `concerted reveal`, and the declaration template."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import confirm, export, records, releases
from concerted.core.days import local_today, today

from .. import declaration, signing, stats
from ..forms import (
    CardForm,
    NoteForm,
    RosterConsentForm,
    RosterImportForm,
    RosterPersonForm,
    RosterUpdateForm,
    UnitForm,
)
from ..models import (
    ASSESSMENTS,
    FIELD_FOR_KIND,
    GROUP_FIELDS,
    NOTE_KIND,
    ROSTER_KIND,
    SEGMENT_NAMES,
    BargainingUnit,
    Card,
    OneOnOne,
    RosterPerson,
)

# The wall chart and the person page decrypt in the page: libsodium's WebAssembly needs
# 'wasm-unsafe-eval'; still no inline script and nothing from another origin.
DECRYPT_PAGE_CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def unit_for_organizer(request: HttpRequest, unit_id: uuid.UUID) -> BargainingUnit:
    unit = BargainingUnit.objects.filter(pk=unit_id).select_related("campaign").first()
    if unit is None:
        raise Http404
    campaign_for_organizer(request, unit.campaign_id)
    return unit


def person_for_organizer(request: HttpRequest, person_id: uuid.UUID) -> RosterPerson:
    person = RosterPerson.objects.filter(pk=person_id).select_related("unit__campaign").first()
    if person is None:
        raise Http404
    campaign_for_organizer(request, person.unit.campaign_id)
    return person


def _render(request: HttpRequest, template: str, context: dict[str, Any], form: Any = None) -> HttpResponse:
    status = 400 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_new(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = campaign_for_organizer(request, campaign_id)
    form = UnitForm(request.POST or None, instance=BargainingUnit(campaign=campaign))
    if request.method == "POST" and form.is_valid():
        unit = form.save()
        messages.success(request, _("Card drive saved as a draft. Preview the card, then open it for signing."))
        return redirect("cards:dashboard", unit.pk)
    return _render(request, "cards/unit_form.html", {"form": form, "campaign": campaign}, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_edit(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    signed = Card.objects.filter(unit=unit).exists()
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        old_hash = BargainingUnit.objects.get(pk=unit.pk).card_text_hash()
        unit = form.save()
        if signed and unit.card_text_hash() != old_hash:
            messages.warning(
                request,
                _(
                    "The card text changed. Cards already signed keep the text their signers saw; new cards "
                    "use the new text. The filing export lists each version."
                ),
            )
        messages.success(request, _("Card drive saved."))
        return redirect("cards:dashboard", unit.pk)
    return _render(
        request, "cards/unit_form.html", {"form": form, "campaign": unit.campaign, "unit": unit, "signed": signed}, form
    )


@login_required
@require_safe
def dashboard(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    release_status = releases.status(unit)
    return render(
        request,
        "cards/dashboard.html",
        {
            "unit": unit,
            "campaign": unit.campaign,
            "progress": stats.progress(unit),
            "segment_name": SEGMENT_NAMES.get(unit.card_segment_kind, ""),
            "versions": stats.text_versions(unit),
            "roster_size": RosterPerson.objects.filter(unit=unit).count(),
            "release_status": release_status,
            "asks_groups": unit.segments().exists(),
        },
    )


@login_required
@require_safe
def preview(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    return render(
        request,
        "cards/sign.html",
        {
            "unit": unit,
            "campaign": unit.campaign,
            "form": CardForm(unit=unit),
            "card_text": unit.rendered_card_text(),
            "today": today(),
            "preview": True,
        },
    )


@login_required
@require_POST
def set_status(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    status = request.POST.get("status", "")
    if status not in BargainingUnit.Status.values:
        messages.error(request, _("Unknown status."))
    elif status == BargainingUnit.Status.OPEN and not unit.campaign.has_key:
        messages.error(request, _("Add the committee public key before opening: cards are sealed to it."))
    else:
        unit.status = status
        unit.save(update_fields=["status"])
        messages.success(request, _("Card drive is now: %(status)s.") % {"status": unit.get_status_display()})
    return redirect("cards:dashboard", unit.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roster(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    form = RosterPersonForm(request.POST or None, unit=unit)
    if request.method == "POST":
        if not unit.campaign.has_key:
            form.add_error(None, _("Add the committee public key first: the roster is sealed to it."))
        elif form.is_valid():
            signing.add_person(unit, form.cleaned_data)
            messages.success(request, _("Added to the roster. Everything about them is sealed."))
            return redirect("cards:roster", unit.pk)
    return _roster_page(request, unit, form, RosterImportForm(unit=unit))


@login_required
@require_POST
def roster_import(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    import_form = RosterImportForm(request.POST, unit=unit)
    if not unit.campaign.has_key:
        import_form.add_error(None, _("Add the committee public key first: the roster is sealed to it."))
    elif import_form.is_valid():
        n = signing.import_people(unit, import_form.cleaned_data["people"])
        messages.success(request, _("Added %(n)d people to the roster. Everything about them is sealed.") % {"n": n})
        return redirect("cards:roster", unit.pk)
    return _roster_page(request, unit, RosterPersonForm(unit=unit), import_form)


def _roster_page(request: HttpRequest, unit: BargainingUnit, form: Any, import_form: Any) -> HttpResponse:
    return render(
        request,
        "cards/roster.html",
        {
            "unit": unit,
            "campaign": unit.campaign,
            "form": form,
            "import_form": import_form,
            "roster_size": RosterPerson.objects.filter(unit=unit).count(),
        },
        status=400 if form.errors or import_form.errors else 200,
    )


def _decrypting(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = DECRYPT_PAGE_CSP
    return response


# The heading of a wall chart group for the people with nothing recorded for it.
NO_GROUP = {
    "department": gettext_lazy("No department recorded"),
    "shift": gettext_lazy("No shift recorded"),
    "site": gettext_lazy("No site recorded"),
    "classification": gettext_lazy("No job classification recorded"),
}


def _chart_labels() -> dict[str, Any]:
    """The words roster.js shows, translated here (the page has no inline script:
    they travel as a JSON data block). Sentences with a count are in roster.js itself,
    from the JavaScript catalog, whose ngettext gives each language its plural forms."""
    groups = {field: str(SEGMENT_NAMES[kind]) for kind, field in FIELD_FOR_KIND.items()}
    return {
        "assessments": {str(value): str(label) for value, label in ASSESSMENTS},
        "not_assessed": _("Not assessed"),
        "groups": groups,
        "no_group": {field: str(NO_GROUP[field]) for field in groups},
        "columns": [
            _("Name"),
            _("Contact"),
            *[groups[field] for field in GROUP_FIELDS],
            _("Assessment"),
            _("Assessed on"),
            _("Card signed"),
            _("Last one-on-one"),
            _("Next step"),
        ],
        "signed": _("signed"),
        "same_name": _("same name signed?"),
        "opening": _("Opening…"),
        "unmatched": _("Cards from people not matched to the roster: %(n)s"),
        "history": _("Log"),
        "nothing": _("—"),
    }


def _person_page(
    request: HttpRequest, person: RosterPerson, *, form: Any, note_form: Any, consent_form: Any = None
) -> HttpResponse:
    unit = person.unit
    status = 400 if form.errors or note_form.errors or (consent_form and consent_form.errors) else 200
    response = render(
        request,
        "cards/person.html",
        {
            "person": person,
            "unit": unit,
            "campaign": unit.campaign,
            "form": form,
            "note_form": note_form,
            "log_size": OneOnOne.objects.filter(person=person).count(),
            "labels": _chart_labels(),
            "consent_form": consent_form or RosterConsentForm(unit=unit, auto_id="consent_%s"),
        },
        status=status,
    )
    return _decrypting(response)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """A person's record: opens with the key in the browser; a correction of their
    groups or assessment is sealed as a log entry."""
    person = person_for_organizer(request, person_id)
    form = RosterUpdateForm(  # ids apart from the note form
        request.POST if request.method == "POST" else None, unit=person.unit, auto_id="fix_%s"
    )
    if request.method == "POST" and form.is_valid():
        if any(form.cleaned_data.values()):
            signing.update_person(person, form.cleaned_data)
            messages.success(request, _("Saved, sealed."))
        else:
            messages.info(request, _("Nothing changed: every field was left blank, so nothing was recorded."))
        return redirect("cards:person", person.pk)
    return _person_page(request, person, form=form, note_form=NoteForm(initial={"day": local_today()}))


@login_required
@require_POST
def person_note(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_for_organizer(request, person_id)
    note_form = NoteForm(request.POST)
    if note_form.is_valid():
        # The organizer's date, not the UTC one: just after midnight in Berlin, today's
        # conversation was refused as "in the future".
        if note_form.cleaned_data["day"] > local_today():
            note_form.add_error("day", _("That date is in the future."))
        else:
            signing.add_note(person, note_form.cleaned_data)
            messages.success(request, _("One-on-one saved. The note and the assessment are sealed."))
            return redirect("cards:person", person.pk)
    return _person_page(request, person, form=RosterUpdateForm(unit=person.unit, auto_id="fix_%s"), note_form=note_form)


@login_required
@require_POST
def person_consent(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """An organizer records that the person agreed, in person, to messages."""
    person = person_for_organizer(request, person_id)
    consent_form = RosterConsentForm(request.POST, unit=person.unit, auto_id="consent_%s")
    if consent_form.is_valid():
        if signing.record_consent(person, consent_form.cleaned_data["contact"]):
            messages.success(
                request,
                _(
                    "Recorded, sealed with the contact you typed: they can be written to there, and every "
                    "message lets them stop."
                ),
            )
        else:
            messages.error(request, _("They agreed before; if they stopped messages since, only they can undo that."))
        return redirect("cards:person", person.pk)
    return _person_page(
        request,
        person,
        form=RosterUpdateForm(unit=person.unit, auto_id="fix_%s"),
        note_form=NoteForm(initial={"day": local_today()}),
        consent_form=consent_form,
    )


@login_required
@require_POST
def person_delete(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_for_organizer(request, person_id)
    unit_id = person.unit_id
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Remove this person from the roster?"),
            consequences=[
                _("Their sealed roster entry and every one-on-one note about them are deleted for good."),
                _("A card they signed is not affected."),
            ],
            confirm_label=_("Yes, remove them"),
            cancel_url=reverse("cards:person", args=[person.pk]),
            context={"campaign": person.unit.campaign},
        )
    records.erase(person)  # with their notes (cascade); both tables purged
    messages.success(request, _("Removed from the roster, with their notes."))
    return redirect("cards:roster", unit_id)


@login_required
@require_safe
def wall_chart(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    """Built in the browser with a key the organizer loads from their own disk: the
    server holds no group or assessment it could count."""
    unit = unit_for_organizer(request, unit_id)
    response = render(
        request,
        "cards/wall_chart.html",
        {
            "unit": unit,
            "campaign": unit.campaign,
            "kinds": [(field, SEGMENT_NAMES[kind]) for kind, field in FIELD_FOR_KIND.items()],
            "assessments": ASSESSMENTS,
            "labels": _chart_labels(),
        },
    )
    return _decrypting(response)


def _unit_parent(unit: BargainingUnit) -> dict[str, Any]:
    return {
        "id": str(unit.pk),
        "slug": unit.slug,
        "name": unit.name,
        "employer": unit.employer,
        "union": unit.union,
        "size": unit.size,
        "showing_needed": unit.showing_needed(),
        "majority_needed": unit.majority_needed(),
        "goal_percent": unit.supermajority_percent,
        "goal_needed": unit.goal_needed(),
        "card_text": unit.rendered_card_text(),
        "card_text_sha256": unit.card_text_hash(),
    }


def _export_response(data: dict[str, Any], filename: str) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@session_or_token
@require_safe
def export_cards(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    return records.export_response(
        model=Card,
        campaign=unit.campaign,
        parent=_unit_parent(unit),
        records=Card.objects.filter(unit=unit).select_related("segment").order_by("day", "id"),
        filename=f"cards-{unit.slug}-sealed.json",
    )


def _only_person(request: HttpRequest) -> uuid.UUID | None:
    """?person=ID narrows an export to one person (their page opens just that)."""
    try:
        return uuid.UUID(request.GET.get("person", ""))
    except ValueError:
        return None


@session_or_token
@require_safe
def export_roster(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    people = RosterPerson.objects.filter(unit=unit).order_by("id")
    if (only := _only_person(request)) is not None:
        people = people.filter(pk=only)
    data = export.build(
        kind=ROSTER_KIND,
        campaign=unit.campaign,
        parent_field="unit",
        parent=_unit_parent(unit),
        records=({"id": str(p.pk), "sealed": p.sealed} for p in people),
    )
    return _export_response(data, f"roster-{unit.slug}-sealed.json")


@session_or_token
@require_safe
def export_notes(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    notes = OneOnOne.objects.filter(person__unit=unit).order_by("id")
    if (only := _only_person(request)) is not None:
        notes = notes.filter(person_id=only)
    data = export.build(
        kind=NOTE_KIND,
        campaign=unit.campaign,
        parent_field="unit",
        parent=_unit_parent(unit),
        records=({"id": str(n.pk), "person": str(n.person_id), "sealed": n.sealed} for n in notes),
    )
    return _export_response(data, f"notes-{unit.slug}-sealed.json")


@login_required
@require_safe
def declaration_page(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    unit = unit_for_organizer(request, unit_id)
    text = declaration.render_text(unit)
    if request.GET.get("format") == "txt":
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="declaration-{unit.slug}.txt"'
        return response
    return render(request, "cards/declaration.html", {"unit": unit, "campaign": unit.campaign, "declaration": text})

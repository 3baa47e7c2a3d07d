"""Organizer pages for the bargaining kit: open it, write and merge demands, read the
aggregates and the ballot result, download the brief and the sealed exports."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerted.accounts.auth import session_or_token
from concerted.campaigns.access import campaign_for_organizer
from concerted.core import records, releases
from concerted.core.kanon import MIN_FREE_TEXT
from concerted.core.records import ParticipantRecord

from .. import brief, clauses, filing, stats
from ..forms import BriefForm, DemandForm, MergeForm
from ..models import Demand, Kit, Proposal, SurveillanceReport


def kit_for_organizer(request: HttpRequest, kit_id: uuid.UUID) -> Kit:
    return records.parent_for_organizer(request, Kit, kit_id)


def demand_for_organizer(request: HttpRequest, demand_id: uuid.UUID) -> Demand:
    demand = Demand.objects.filter(pk=demand_id).select_related("kit__campaign").first()
    if demand is None:
        raise Http404
    campaign_for_organizer(request, demand.kit.campaign_id)
    return demand


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest, campaign_id: uuid.UUID) -> HttpResponse:
    """The campaign page's button: every campaign has at most one kit. Looking creates
    nothing (a read-only organizer may look); starting one is a POST."""
    campaign = campaign_for_organizer(request, campaign_id)
    kit = Kit.objects.filter(campaign=campaign).first()
    if kit is None and request.method == "POST":
        kit, _created = Kit.objects.get_or_create(campaign=campaign)
    if kit is not None:
        return redirect("bargaining:dashboard", kit.pk)
    return render(request, "bargaining/start.html", {"campaign": campaign})


@login_required
@require_safe
def dashboard(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    return _dashboard(request, kit_for_organizer(request, kit_id))


@dataclass(frozen=True)
class Released:
    """One kind of the kit's figures as last released (what the brief prints), and what
    waits for the next release: the organizer pages show these, never counts from the
    rows, or two page loads around one report or ballot would show what it said."""

    figures: releases.Figures
    status: releases.Status


def _released(kit: Kit, kind: releases.Kind) -> Released:
    return Released(releases.figures(kit, kind.name), releases.status(kit, kind.name))


@dataclass(frozen=True)
class ReleasedStanding:
    demand: Demand | None  # None: removed from the board since the release
    demand_id: str
    place: int
    approvals: int
    tied: bool
    wins: int | None  # None: released before wins were stored

    @property
    def title(self) -> str:
        return self.demand.title if self.demand is not None else _("a demand since removed from the board")


def _released_standings(kit: Kit, figures: Mapping[str, Any]) -> list[ReleasedStanding]:
    rows = list(figures.get("standings", []))
    by_id = {str(d.pk): d for d in kit.demands.filter(pk__in=[s["demand"] for s in rows])}
    return [
        ReleasedStanding(
            by_id.get(s["demand"]), s["demand"], int(s["place"]), int(s["approvals"]), bool(s["tied"]), s.get("wins")
        )
        for s in rows
    ]


def _released_matrix(
    standings: list[ReleasedStanding], figures: Mapping[str, Any]
) -> list[tuple[ReleasedStanding, list[tuple[ReleasedStanding, int | None]]]] | None:
    """Head-to-head counts in the standings' order; None for a release made before
    they were stored (the page says they come with the next release)."""
    pairwise = figures.get("pairwise")
    if pairwise is None:
        return None
    return [(x, [(y, pairwise.get(x.demand_id, {}).get(y.demand_id)) for y in standings]) for x in standings]


def _dashboard(request: HttpRequest, kit: Kit, settings_error: str = "") -> HttpResponse:
    """The dashboard; after a refused settings change, `kit` carries the switches as
    typed (unsaved) and the page says why, so nothing ticked is lost."""
    demands = list(kit.demands.all())
    surveillance = _released(kit, stats.SURVEILLANCE_RELEASE)
    pressure = _released(kit, stats.PRESSURE_RELEASE)
    ballot = _released(kit, stats.BALLOT_RELEASE)
    return render(
        request,
        "bargaining/dashboard.html",
        {
            "kit": kit,
            "campaign": kit.campaign,
            "surveillance": stats.surveillance(kit, dict(surveillance.figures)),
            "surveillance_release": surveillance,
            "pressure": stats.pressure(kit, dict(pressure.figures)),
            "pressure_release": pressure,
            "free_text_ready": stats.free_text_ready(kit),
            "min_free_text": MIN_FREE_TEXT,
            "proposals": kit.proposals.count(),
            "demands": [d for d in demands if d.merged_into_id is None],
            "merged": [d for d in demands if d.merged_into_id is not None],
            # Turnout is exact: a count alone says nothing about what anyone answered.
            "ballots": kit.ballots.count(),
            "ballot_release": ballot,
            "released_ballots": int(ballot.figures.get("ballots", 0)),
            "standings": _released_standings(kit, ballot.figures),
            "template": clauses.HUMAN_DECISION_DEMAND,
            "invite_batches": _batches(kit),
            "settings_error": settings_error,
            "brief_releases": [
                (_("Surveillance inventory"), surveillance.status),
                (_("AI-usage quotas and leaderboards"), pressure.status),
                (_("Ballot"), ballot.status),
            ],
            "min_actions": releases.MIN_ACTIONS,
        },
        status=400 if settings_error else 200,
    )


def _batches(kit: Kit) -> object:
    from concerted.invites.usage import usage

    return usage(filing.BALLOT_TARGET, kit.pk)


@login_required
@require_POST
def settings(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    kit = kit_for_organizer(request, kit_id)
    wanted = {name: request.POST.get(name) == "on" for name in ("reports_open", "proposals_open", "voting_open")}
    error = ""
    if (wanted["reports_open"] or wanted["proposals_open"]) and not kit.campaign.has_key:
        error = _("Add the committee public key first: what coworkers write is sealed to it.")
    elif wanted["voting_open"] and not kit.ballot_demands().exists():
        error = _("Put at least one demand on the ballot before opening it.")
    for name, value in wanted.items():
        setattr(kit, name, value)
    if error:
        return _dashboard(request, kit, settings_error=error)
    kit.save(update_fields=list(wanted))
    messages.success(request, _("Saved."))
    return redirect("bargaining:dashboard", kit.pk)


@login_required
@require_safe
def library(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    kit = kit_for_organizer(request, kit_id)
    return render(
        request,
        "bargaining/library.html",
        {
            "kit": kit,
            "campaign": kit.campaign,
            "clauses": clauses.CLAUSES,
            "checked_on": clauses.CHECKED_ON,
            "template": clauses.HUMAN_DECISION_DEMAND,
        },
    )


def _initial(request: HttpRequest) -> dict[str, object]:
    key = request.GET.get("clause", "")
    if key == clauses.HUMAN_DECISION_KEY:
        t = clauses.HUMAN_DECISION_DEMAND
        return {"title": t["title"], "text": t["text"], "clause_keys": list(t["clauses"])}
    clause = clauses.get(key)
    if clause is not None:
        return {"title": clauses.demand_title(clause), "text": clause.model_language, "clause_keys": [clause.key]}
    return {}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def demand_new(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    kit = kit_for_organizer(request, kit_id)
    form = DemandForm(request.POST or None, instance=Demand(kit=kit), initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Demand saved."))
        return redirect("bargaining:dashboard", kit.pk)
    return render(
        request,
        "bargaining/demand_form.html",
        {"kit": kit, "campaign": kit.campaign, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def demand_edit(request: HttpRequest, demand_id: uuid.UUID) -> HttpResponse:
    demand = demand_for_organizer(request, demand_id)
    kit = demand.kit
    form = DemandForm(request.POST or None, instance=demand)
    merge_form = MergeForm(demand=demand)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Demand saved."))
        return redirect("bargaining:dashboard", kit.pk)
    return render(
        request,
        "bargaining/demand_form.html",
        {"kit": kit, "campaign": kit.campaign, "form": form, "demand": demand, "merge_form": merge_form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def demand_merge(request: HttpRequest, demand_id: uuid.UUID) -> HttpResponse:
    demand = demand_for_organizer(request, demand_id)
    form = MergeForm(request.POST, demand=demand)
    if not form.is_valid():
        messages.error(request, _("Pick the demand to merge this one into."))
        return redirect("bargaining:demand_edit", demand.pk)
    target = form.cleaned_data["into"]
    filing.merge(demand, target)
    messages.success(
        request, _("Merged “%(a)s” into “%(b)s”. Its ballots now count there.") % {"a": demand, "b": target}
    )
    return redirect("bargaining:dashboard", demand.kit_id)


@login_required
@require_safe
def results(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    """The ballot result as last released, with its head-to-head counts: never counted
    from the rows here (invariant 11), like the brief."""
    kit = kit_for_organizer(request, kit_id)
    ballot = _released(kit, stats.BALLOT_RELEASE)
    standings = _released_standings(kit, ballot.figures)
    return render(
        request,
        "bargaining/results.html",
        {
            "kit": kit,
            "campaign": kit.campaign,
            "ballot_release": ballot,
            "released_ballots": int(ballot.figures.get("ballots", 0)),
            "standings": standings,
            "matrix": _released_matrix(standings, ballot.figures),
            "ballots": kit.ballots.count(),
            "min_actions": releases.MIN_ACTIONS,
        },
    )


def _selection(request: HttpRequest, kit: Kit) -> set[str]:
    known = {c.key for c in brief.choices(kit)}
    return {key for key in request.GET.getlist("item") if key in known}


def _brief_form(request: HttpRequest) -> BriefForm:
    """The paper as asked; asked for none (the preview, an older link), the installation's."""
    return BriefForm(request.GET if "paper" in request.GET else None)


def _brief_page(request: HttpRequest, kit: Kit, form: BriefForm, status: int = 200) -> HttpResponse:
    picked = "picked" in request.GET
    selected = _selection(request, kit) if picked else brief.default_selection(kit)
    items = [(c, c.key in selected) for c in brief.choices(kit)]
    return render(
        request,
        "bargaining/brief.html",
        {
            "kit": kit,
            "campaign": kit.campaign,
            "items": items,
            "selected": sorted(selected),
            "preview": brief.blocks(kit, selected) if picked else None,
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def brief_page(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    """Tick what goes into the brief, preview it, then download exactly that."""
    kit = kit_for_organizer(request, kit_id)
    return _brief_page(request, kit, _brief_form(request))


@login_required
@require_safe
def brief_pdf(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    """The PDF of exactly the ticked items; without a selection, back to the page to tick and preview."""
    kit = kit_for_organizer(request, kit_id)
    if "picked" not in request.GET:
        return redirect("bargaining:brief_page", kit.pk)
    form = _brief_form(request)
    if form.is_bound and not form.is_valid():
        # A paper the page never offered (a hand-edited address): the page again, the
        # ticked items and their preview kept, the message on the choice.
        return _brief_page(request, kit, form, status=400)
    paper_name = form.cleaned_data["paper"] if form.is_bound else None
    document = brief.build(kit, selected=_selection(request, kit), paper_name=paper_name)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bargaining-brief-{kit.slug}.pdf"'
    return response


def _export(kit: Kit, model: type[ParticipantRecord], rows: list[dict[str, object]], name: str) -> HttpResponse:
    return records.export_response(
        model=model,
        campaign=kit.campaign,
        parent={"id": str(kit.pk), "slug": kit.slug, "title": _("Bargaining kit")},
        records=rows,
        filename=f"{name}-{kit.slug}-sealed.json",
    )


@session_or_token
@require_safe
def reports_export(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    """What coworkers wrote in their reports, sealed; only from 10 reports on, so a
    handful of notes can't be matched to the few people who wrote them."""
    kit = kit_for_organizer(request, kit_id)
    if not stats.free_text_ready(kit):
        return JsonResponse(
            {"error": _("Free text opens at %(n)s reports; there are fewer.") % {"n": MIN_FREE_TEXT}}, status=409
        )
    rows: list[dict[str, object]] = []
    for kind, queryset in (
        ("surveillance", kit.surveillance_reports.order_by("day", "id")),
        ("pressure", kit.pressure_reports.order_by("day", "id")),
    ):
        rows += [{**r.export_row(), "type": kind} for r in queryset]
    return _export(kit, SurveillanceReport, rows, "reports")


@session_or_token
@require_safe
def proposals_export(request: HttpRequest, kit_id: uuid.UUID) -> HttpResponse:
    kit = kit_for_organizer(request, kit_id)
    rows = [p.export_row() for p in kit.proposals.order_by("day", "id")]
    return _export(kit, Proposal, rows, "proposals")

"""Writing what coworkers send: the only code that creates reports, proposals and ballots."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import counting
from .models import (
    Ballot,
    Demand,
    Kit,
    PressureReport,
    Proposal,
    SurveillanceReport,
)

BALLOT_TARGET = "ballot"  # invites target_kind; the target id is the kit's id


class NotEligible(Exception):
    """The invite code can't be used; `message` is for the participant."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def file_surveillance(kit: Kit, row: dict[str, Any], sealed: dict[str, Any]) -> SurveillanceReport:
    report = SurveillanceReport(kit=kit, **row)
    report.seal_data({**sealed, "day": report.day.isoformat()})
    report.save(force_insert=True)
    return report


def file_pressure(kit: Kit, row: dict[str, Any], sealed: dict[str, Any]) -> PressureReport:
    report = PressureReport(kit=kit, **row)
    report.seal_data({**sealed, "day": report.day.isoformat()})
    report.save(force_insert=True)
    return report


def propose(kit: Kit, text: str) -> Proposal:
    proposal = Proposal(kit=kit)
    proposal.seal_data({"demand": text, "day": proposal.day.isoformat()})
    proposal.save(force_insert=True)
    return proposal


def unknown_code_message() -> str:
    """The first sentence for a code that is unknown or used up, naming a ballot (the
    invites app's default names a petition or pledge)."""
    return _(
        "That invite code doesn't work here. Each code votes only once and only on the ballot on its card; "
        "it may already have been used. Ask the committee for a new one."
    )


def cast_ballot(kit: Kit, code: str, ranking: dict[Demand, int]) -> Ballot:
    """Use the invite code and store the ranking in one transaction: either both or neither."""
    from concerted.invites import codes

    with transaction.atomic():
        try:
            codes.consume(BALLOT_TARGET, kit.pk, code)
        except codes.InviteRefused as refused:
            if refused.result == codes.Result.UNKNOWN:
                raise NotEligible(codes.unknown_message(unknown_code_message())) from None
            raise NotEligible(refused.message) from None
        ballot = Ballot.objects.create(kit=kit, ranks={str(d.pk): r for d, r in _dense(ranking).items()})
    return ballot


def _dense(ranking: dict[Demand, int]) -> dict[Demand, int]:
    """1, 3, 3, 7 -> 1, 2, 2, 3: only the order matters, so store it plainly."""
    levels = sorted(set(ranking.values()))
    return {d: levels.index(r) + 1 for d, r in ranking.items()}


def merge(demand: Demand, into: Demand) -> None:
    """Fold a duplicate into another demand. Ballots that ranked the duplicate now count
    for the target at the better of the two ranks (see ballots_for_counting)."""
    if demand.pk == into.pk or demand.kit_id != into.kit_id:
        raise ValueError("merge within one kit, into another demand")
    with transaction.atomic():
        target = into
        while target.merged_into_id is not None:  # never point at a merged demand
            target = target.merged_into  # type: ignore[assignment]
        Demand.objects.filter(merged_into=demand).update(merged_into=target)
        demand.merged_into = target
        demand.status = Demand.Status.WITHDRAWN
        demand.chosen = False
        demand.save(update_fields=["merged_into", "status", "chosen"])
        target.from_proposals += demand.from_proposals
        target.clause_keys = list(dict.fromkeys([*target.clause_keys, *demand.clause_keys]))
        target.save(update_fields=["from_proposals", "clause_keys"])


def ballots_for_counting(kit: Kit) -> list[dict[uuid.UUID, int]]:
    """Each ballot as {demand id: rank}, merged demands mapped to what they were merged
    into (keeping the better rank)."""
    final = {d.pk: d.merged_into_id or d.pk for d in kit.demands.all()}
    ballots: list[dict[uuid.UUID, int]] = []
    for ranks in Ballot.objects.filter(kit=kit).values_list("ranks", flat=True):
        # A ballot whose every choice was withdrawn still counts as cast (it ranks nothing).
        current: dict[uuid.UUID, int] = {}
        for demand_id, rank in ranks.items():
            target = final.get(uuid.UUID(demand_id))
            if target is not None:
                current[target] = min(rank, current.get(target, rank))
        ballots.append(current)
    return ballots


def results(kit: Kit) -> counting.Result[Demand]:
    demands = list(kit.ballot_demands())
    by_id = {d.pk: d for d in demands}
    ballots = [{by_id[k]: r for k, r in b.items() if k in by_id} for b in ballots_for_counting(kit)]
    return counting.count(demands, ballots)

"""Demo data for `make run`: reports, proposals, demands from the library, a ballot."""

from __future__ import annotations

from django.urls import reverse

from . import clauses, filing
from .models import CAPTURES, COUNTED, DEVICES, RESPONSES, USES, Demand, Kit

NOTES = [
    "",
    "",
    "",
    "The agent starts before login and can't be closed.",
    "Screenshots every few minutes, team leads can see them.",
    "They said it was for security. Then the AI team asked for the recordings.",
]
PRESSURE_NOTES = [
    "",
    "",
    "People run the agent on nothing to stay on the leaderboard.",
    "Token counts came up in my review.",
]


def _ticks(rng, options, weights):  # type: ignore[no-untyped-def]
    return {name: rng.random() < w for (name, _label), w in zip(options, weights, strict=True)}


def load(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    rng = ctx.rng
    kit, _created = Kit.objects.get_or_create(campaign=ctx.campaign)
    kit.reports_open = kit.proposals_open = True
    kit.save()
    tools = [1, 1, 1, 2, 2, 5, 5, 5, 5, 7]
    for _i in range(31):
        row = {
            "tool": rng.choice(tools),
            **_ticks(rng, CAPTURES, [0.8, 0.8, 0.7, 0.15, 0.6, 0.4, 0.5]),
            **_ticks(rng, DEVICES, [0.95, 0.3, 0.1, 0.05]),
            "disclosed": rng.choice([0, 2, 3, 3, 3, 1]),
            "feeds_evaluations": rng.choice([0, 1, 1, 2]),
            "trains_ai": rng.choice([0, 1, 1, 2, 2, 3]),
        }
        filing.file_surveillance(kit, row, {"type": "surveillance", "tool_other": "", "details": rng.choice(NOTES)})
    for _i in range(17):
        row = {
            **_ticks(rng, COUNTED, [0.7, 0.8, 0.3, 0.4, 0.5]),
            **_ticks(rng, USES, [0.8, 0.6, 0.5, 0.4, 0.2, 0.15]),
            **_ticks(rng, RESPONSES, [0.6, 0.5, 0.4, 0.6, 0.1]),
            "pressure": rng.choice([2, 3, 3, 4, 4]),
        }
        filing.file_pressure(kit, row, {"type": "pressure", "details": rng.choice(PRESSURE_NOTES)})
    for text in [
        "Switch off keystroke logging.",
        "No more token leaderboards.",
        "Humans decide on firing, not the AI.",
        "Stop using our recordings to train AI agents.",
        "No keylogger on our laptops",
    ]:
        filing.propose(kit, text)

    t = clauses.HUMAN_DECISION_DEMAND
    human = Demand.objects.create(
        kit=kit,
        title=t["title"],
        text=t["text"],
        clause_keys=list(t["clauses"]),
        from_proposals=1,
        status=Demand.Status.BALLOT,
        chosen=True,
    )
    keystrokes = Demand.objects.create(
        kit=kit,
        title="End keystroke and mouse tracking",
        text="Remove keystroke, mouse and screenshot capture from work devices and delete what was recorded.",
        clause_keys=["nlrb-gc-23-02", "eu-platform-work-directive"],
        from_proposals=2,
        status=Demand.Status.BALLOT,
        chosen=True,
    )
    training = Demand.objects.create(
        kit=kit,
        title="No training AI on our work without consent",
        text=clauses.get("sag-aftra-2023-ai").model_language,  # type: ignore[union-attr]
        clause_keys=["sag-aftra-2023-ai", "wga-2023-art-72"],
        from_proposals=1,
        status=Demand.Status.BALLOT,
        chosen=True,
    )
    leaderboards = Demand.objects.create(
        kit=kit,
        title="No AI-usage quotas or leaderboards",
        text="AI-usage and token counts shall not be used in evaluations, rankings, pay or layoff decisions.",
        from_proposals=1,
        status=Demand.Status.BALLOT,
    )
    notice = Demand.objects.create(
        kit=kit,
        title="Notice before any new AI system",
        text=clauses.get("cwa-microsoft-2023").model_language,  # type: ignore[union-attr]
        clause_keys=["cwa-microsoft-2023", "eu-ai-act-art-26-7"],
        status=Demand.Status.BALLOT,
    )
    options = [human, keystrokes, training, leaderboards, notice]
    lines = [f"bargaining kit: {ctx.base_url}{reverse('bargaining:home', args=[kit.slug])}"]
    try:
        from concerted.invites import codes
    except ImportError:  # pragma: no cover - the invites app ships with the project
        return lines
    _batch, made = codes.create_batch(ctx.campaign, filing.BALLOT_TARGET, kit.pk, 40, "Demo ballot cards")
    for code in made[:26]:
        picks = rng.sample(options, rng.randint(2, len(options)))
        picks.sort(key=lambda d: (d is not human, d is not keystrokes, rng.random()))
        filing.cast_ballot(kit, code, {d: i + 1 for i, d in enumerate(picks)})
    kit.voting_open = True
    kit.save(update_fields=["voting_open"])
    lines.append(
        f"  31 surveillance + 17 AI-metric reports, 5 proposals, 5 demands, 26 ballots; "
        f"an unused ballot code: {codes.display(made[-1])}"
    )
    return lines

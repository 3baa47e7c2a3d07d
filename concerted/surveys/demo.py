"""Demo data: the "AI at work" survey with a few hundred synthetic responses."""

from __future__ import annotations

from django.urls import reverse

from concerted.core.demo import DemoContext

from . import ai_at_work, answering, releases
from .models import Question, Survey

DEMO_RESPONSES = 320
COMMENTS = [
    "The tracker logs when I step away to the bathroom.",
    "We were never told the recordings train an AI.",
    "Token counts in reviews push people to use the tool for everything.",
    "I want a person, not a model, deciding on discipline.",
]


def load(ctx: DemoContext) -> list[str]:
    # Without invite codes, so the results show the warning about repeats.
    survey = ai_at_work.create(ctx.campaign, design=Survey.Design.CENSUS, one_per_invite=False)
    rng = ctx.rng
    # Answer probabilities loosely shaped like the national poll, a bit more pro-union.
    single_weights = {
        "human_final": [92, 3, 5],
        "trust": [46, 14, 8, 5, 12, 15],
        "disclosed": [9, 70, 21],
    }
    for _i in range(DEMO_RESPONSES):
        closed: dict[int, object] = {}
        texts: dict[int, str] = {}
        for q in survey.ordered_questions():
            options = q.option_list()
            if rng.random() < 0.04 and q.kind != Question.Kind.TEXT:
                continue  # skipped
            if q.kind == Question.Kind.SINGLE:
                weights = single_weights.get(q.national_key) or [1] * len(options)
                if q.segment == "team":
                    weights = [5, 3, 2, 1, 1][: len(options)] + [1] * max(0, len(options) - 5)
                closed[q.pk] = rng.choices(range(len(options)), weights=weights)[0]
            elif q.kind == Question.Kind.SCALE:
                closed[q.pk] = rng.choices(range(5), weights=[4, 6, 10, 35, 45])[0]
            elif q.kind == Question.Kind.MULTI:
                closed[q.pk] = [i for i in range(len(options)) if rng.random() < 0.35 + 0.1 * (i < 3)]
            elif q.kind == Question.Kind.RANK:
                order = rng.sample(range(len(options)), k=rng.randint(1, len(options)))
                ranks = [0] * len(options)
                for position, i in enumerate(order, start=1):
                    ranks[i] = position
                closed[q.pk] = ranks
            elif q.kind == Question.Kind.NUMBER:
                closed[q.pk] = max(0, min(80, int(rng.gauss(6, 5))))
            elif q.kind == Question.Kind.TEXT and rng.random() < 0.15:
                texts[q.pk] = rng.choice(COMMENTS)
        answering.submit(survey, closed, texts)
    # The unit's known make-up, so results are weighted (raking to team and tenure).
    unit = ctx.campaign.unit_size or 400
    team_q = next(q for q in survey.ordered_questions() if q.segment == "team")
    tenure_q = next(q for q in survey.ordered_questions() if q.segment == "tenure")
    n_teams = len(team_q.option_list())
    survey.makeup = {
        "marginals": {
            str(team_q.pk): {str(i): unit // n_teams for i in range(n_teams)},
            str(tenure_q.pk): {"0": unit * 25 // 100, "1": unit * 45 // 100, "2": unit * 30 // 100},
        }
    }
    survey.status = Survey.Status.PUBLISHED
    survey.save(update_fields=["status", "makeup"])
    releases.make(survey)  # the results pages show releases only
    return [
        f"survey '{survey.title}' with {DEMO_RESPONSES} synthetic responses: "
        f"{ctx.base_url}{reverse('surveys:answer', args=[survey.slug])}"
    ]

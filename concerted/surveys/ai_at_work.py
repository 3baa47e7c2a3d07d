"""The built-in "AI at work" survey, comparable with the national AFL-CIO poll.

National figures: AFL-CIO with David Binder Research, 14-22 April 2026, n = 1,588
(reported by the Guardian, 12 May 2026). Only the published toplines are used; the
exact national wording is paraphrased, so read the comparison as indicative."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from concerted.campaigns.models import Campaign

from .models import SCALE_LABELS, Option, Question, Survey

TEMPLATE = "ai_at_work"
SOURCE = _lazy(
    "poll of 1,588 workers by the AFL-CIO with David Binder Research, 14–22 April 2026; "
    "figures as published by the AFL-CIO and reported by the Guardian, 12 May 2026"
)
# The same finding was worded differently in print: keep saying so next to the figure.
WORDING_NOTE = _lazy(
    "We show the poll's own figure for a human as the final decision-maker (95%); press coverage of the "
    "same poll reported 90%, for a differently worded statement. Our question paraphrases the poll's."
)

# (kind, text, options with national % or None, segment, national key)
QUESTIONS: list[tuple[str, str, list[tuple[str, float | None]], str, str]] = [
    (
        "single",
        "Should a human have to be the final decision-maker when AI is used in decisions that affect workers?",
        [("Yes, a human must decide", 95.0), ("No", None), ("Not sure", None)],
        "",
        "human_final",
    ),
    (
        "single",
        "Whom do you trust most to protect workers from the harms of AI?",
        [
            ("Unions", 38.0),
            ("Democrats", 17.0),
            ("Republicans", 10.0),
            ("Employers", 6.0),
            ("Someone else, or nobody", None),
            ("Not sure", None),
        ],
        "",
        "trust",
    ),
    (
        "single",
        "Has our employer told us whether it uses AI to monitor workers?",
        [("Yes, it has disclosed it", 7.0), ("No", None), ("Not sure", None)],
        "",
        "disclosed",
    ),
    ("scale", "Keystroke and mouse tracking on our work computers should stop.", [], "", ""),
    ("scale", "AI-usage and token-count metrics should not count in our performance evaluations.", [], "", ""),
    (
        "multi",
        "Which AI guardrails should we bargain for?",
        [
            ("A human makes the final decision on discipline, pay and firing", None),
            ("No keystroke, mouse or screen tracking", None),
            ("No AI-usage or token-count targets in evaluations", None),
            ("Written disclosure of every AI and monitoring tool", None),
            ("No training AI on recordings of our work", None),
            ("Bargaining before any new AI tool is deployed", None),
        ],
        "",
        "",
    ),
    (
        "rank",
        "Order these demands: 1 is the most important to you.",
        [
            ("Switch off keystroke and mouse tracking", None),
            ("A human makes the final decision", None),
            ("No token-count targets", None),
            ("Disclose all AI monitoring", None),
        ],
        "",
        "",
    ),
    ("single", "Which team are you on?", [], "team", ""),
    (
        "single",
        "How long have you worked here?",
        [("Less than 1 year", None), ("1 to 5 years", None), ("More than 5 years", None)],
        "tenure",
        "",
    ),
    ("number", "About how many hours a week do you spend using AI tools at work?", [], "", ""),
    ("text", "Anything else the committee should know about AI or monitoring at work?", [], "", ""),
]


@transaction.atomic
def create(campaign: Campaign, *, design: str = Survey.Design.CENSUS, one_per_invite: bool = True) -> Survey:
    survey = Survey.objects.create(
        campaign=campaign,
        title=_("AI at work"),
        intro=_(
            "Ten minutes, anonymous. Your answers help the committee decide what to bargain for, and show "
            "management numbers it can't dismiss. Several questions match a national poll (AFL-CIO, April 2026), "
            "so we can compare our workplace with workers across the country."
        ),
        design=design,
        one_per_invite=one_per_invite,
        template=TEMPLATE,
    )
    teams = [s.label for s in campaign.segments.filter(kind="team")] or ["Team A", "Team B", "Team C"]
    for position, (kind, text, options, segment, key) in enumerate(QUESTIONS):
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            text=text,
            segment=segment,
            national_key=key,
            number_min=0 if kind == "number" else None,
            number_max=80 if kind == "number" else None,
        )
        if kind == "scale":
            options = [(str(label), None) for label in SCALE_LABELS]
        if segment == "team":
            options = [(label, None) for label in teams]
        Option.objects.bulk_create(
            Option(question=question, position=i, label=label, national_percent=pct)
            for i, (label, pct) in enumerate(options)
        )
    return survey

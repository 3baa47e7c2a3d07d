from __future__ import annotations

import pytest

from concerted.surveys import ai_at_work, answering
from concerted.surveys.models import Option, Question, Survey


@pytest.fixture
def survey(campaign):
    """A draft survey: a team segment question, a yes/no question, a text question."""
    survey = Survey.objects.create(
        campaign=campaign, title="Tracking", design=Survey.Design.PROBABILITY, one_per_invite=False
    )
    team = Question.objects.create(survey=survey, position=0, kind="single", text="Your team?", segment="team")
    for i, label in enumerate(["Platform", "Support", "Data"]):
        Option.objects.create(question=team, position=i, label=label)
    shift = Question.objects.create(survey=survey, position=1, kind="single", text="Your shift?", segment="shift")
    for i, label in enumerate(["Day", "Night"]):
        Option.objects.create(question=shift, position=i, label=label)
    yes_no = Question.objects.create(survey=survey, position=2, kind="single", text="Stop the tracker?")
    for i, label in enumerate(["Yes", "No"]):
        Option.objects.create(question=yes_no, position=i, label=label)
    Question.objects.create(survey=survey, position=3, kind="text", text="Anything else?")
    return survey


@pytest.fixture
def published(survey):
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    return survey


@pytest.fixture
def ai_survey(campaign):
    survey = ai_at_work.create(campaign, one_per_invite=False)
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    return survey


def add_responses(survey, rows):
    """rows: list of (team, shift, yes_no) option indexes (None = skipped)."""
    qs = survey.ordered_questions()
    for team, shift, answer in rows:
        answering.submit(survey, {qs[0].pk: team, qs[1].pk: shift, qs[2].pk: answer}, {})

"""A survey asks each kind of segment (team, site, shift...) once: two team questions
would break the results down by two copies of the same groups."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys import ai_at_work
from concerted.surveys.models import Question

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_question_for_the_same_segment_keeping_what_was_typed(survey, as_user):
    before = survey.questions.count()
    response = as_user("owner").post(
        reverse("surveys:question_add", args=[survey.pk]),
        {"kind": "single", "text": "Which department?", "segment": "team", "options_text": "Ops\nSales"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This survey already asks for the team in “Your team?”" in page
    assert "Which department?" in page and "Ops\nSales" in page  # nothing typed is lost
    assert survey.questions.count() == before


def test_it_refuses_the_same_campaign_segment_with_no_options_typed(survey, as_user):
    """Options left empty take the campaign's groups: the same groups twice."""
    response = as_user("owner").post(
        reverse("surveys:question_add", args=[survey.pk]), {"kind": "single", "text": "Team again?", "segment": "team"}
    )
    assert response.status_code == 400 and "already asks for the team" in response.content.decode()
    assert not Question.objects.filter(text="Team again?").exists()


def test_it_refuses_turning_another_question_into_a_second_segment(survey, as_user):
    yes_no = survey.questions.get(text="Stop the tracker?")
    response = as_user("owner").post(
        reverse("surveys:question_edit", args=[yes_no.pk]),
        {"kind": "single", "text": "Stop the tracker?", "segment": "shift", "options_text": "Yes\nNo"},
    )
    assert response.status_code == 400 and "already asks for the shift in “Your shift?”" in response.content.decode()
    yes_no.refresh_from_db()
    assert yes_no.segment == ""


def test_a_segment_question_can_still_be_saved_as_itself_and_other_kinds_are_free(survey, as_user):
    team = survey.questions.get(segment="team")
    client = as_user("owner")
    saved = client.post(
        reverse("surveys:question_edit", args=[team.pk]),
        {"kind": "single", "text": "Your team, please?", "segment": "team", "options_text": "Platform\nSupport"},
    )
    assert saved.status_code == 302
    added = client.post(
        reverse("surveys:question_add", args=[survey.pk]),
        {"kind": "single", "text": "Which site?", "segment": "site", "options_text": "North\nSouth"},
    )
    assert added.status_code == 302
    assert sorted(survey.questions.exclude(segment="").values_list("segment", flat=True)) == ["shift", "site", "team"]


def test_a_segment_question_in_another_survey_is_no_twin(survey, campaign, as_user):
    other = ai_at_work.create(campaign)  # it has its own team question
    response = as_user("owner").post(
        reverse("surveys:question_add", args=[other.pk]),
        {"kind": "single", "text": "Your shift?", "segment": "shift", "options_text": "Day\nNight"},
    )
    assert response.status_code == 302


def test_the_ai_at_work_template_asks_each_segment_once(campaign):
    kinds = [segment for _kind, _text, _options, segment, _key in ai_at_work.QUESTIONS if segment]
    assert len(kinds) == len(set(kinds))
    survey = ai_at_work.create(campaign)
    made = list(survey.questions.exclude(segment="").values_list("segment", flat=True))
    assert len(made) == len(set(made)) == len(kinds)

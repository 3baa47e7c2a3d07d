"""Anonymity rules on crafted small cells, and a differencing attack that must fail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys import results
from concerted.surveys.summary import brief_rows

from .conftest import add_responses

pytestmark = pytest.mark.django_db

TEAM, SHIFT, ANSWER = 0, 1, 2


def q(survey, i):
    return survey.ordered_questions()[i]


def test_it_shows_nothing_below_five_respondents(published):
    add_responses(published, [(0, 0, 0)] * 4)
    res = results.compute(published)
    assert res.total is None and res.n is None and res.questions == []
    rows = brief_rows(published.campaign)
    assert rows and all(r["count"] is None and r["percent"] is None for r in rows)


def test_it_hides_a_small_cell_and_the_next_smallest(published):
    # Yes 20, No 3, skipped 6: No (3) is hidden and so is the next-smallest (skipped 6).
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 0, 1)] * 3 + [(2, 1, None)] * 6)
    res = results.compute(published)
    answer = next(r for r in res.questions if r.question == q(published, ANSWER))
    yes, no = answer.rows
    assert no.hidden and no.percent is None
    # "Yes" alone would give No = answered - Yes: the no-answer cell is hidden with it, so
    # the answered count is... still shown (23), so Yes must be hidden too.
    assert answer.n == 23
    assert yes.hidden
    team = next(r for r in res.questions if r.question == q(published, TEAM))
    assert [r.count for r in team.rows] == [20, None, None]  # Support 3 hidden, Data 6 with it


def test_a_zero_cell_is_shown_and_never_used_as_cover(published):
    add_responses(published, [(0, 0, 0)] * 12)
    res = results.compute(published)
    answer = next(r for r in res.questions if r.question == q(published, ANSWER))
    assert [r.count for r in answer.rows] == [12, 0]


def test_multiple_choice_hides_an_option_almost_everyone_ticked(campaign):
    from concerted.surveys import answering
    from concerted.surveys.models import Option, Question, Survey

    survey = Survey.objects.create(campaign=campaign, title="M", status="published", one_per_invite=False)
    multi = Question.objects.create(survey=survey, kind="multi", text="Which?")
    for i, label in enumerate(["A", "B", "C"]):
        Option.objects.create(question=multi, position=i, label=label)
    for i in range(20):
        # A: all 20 (nobody exposed), B: 18 ticked / 2 didn't, C: 10/10
        answering.submit(survey, {multi.pk: [0] + ([1] if i < 18 else []) + ([2] if i < 10 else [])}, {})
    res = results.compute(survey)
    counts = [r.count for r in res.questions[0].rows]
    assert counts == [20, None, 10]


def test_free_text_needs_ten_respondents(published, as_user):
    add_responses(published, [(0, 0, 0)] * 9)
    export = as_user("owner").get(reverse("surveys:export", args=[published.pk])).json()
    assert export["records"] == [] and export["parent"]["withheld"] is True


# ------------------------------------------------------------ differencing


@pytest.fixture
def team_a_twelve(published):
    """Team Platform: 12 people, 8 on nights, 4 on days; 30 others."""
    rows = [(0, 1, 0)] * 8 + [(0, 0, 1)] * 4 + [(1, 0, 0)] * 15 + [(2, 1, 1)] * 15
    add_responses(published, rows)
    return published


def test_the_differencing_attack_is_refused(team_a_twelve, as_user):
    survey = team_a_twelve
    team, shift = q(survey, TEAM), q(survey, SHIFT)
    allowed = results.compute(survey, {team.pk: 0})
    assert allowed.refused is None and allowed.n == 12
    attack = results.compute(survey, {team.pk: 0, shift.pk: 1})  # 8 people; 12 - 8 = 4 isolated
    assert attack.refused
    assert attack.questions == [] and attack.n is None
    # Through the page and the CSV too.
    client = as_user("owner")
    url = reverse("surveys:results", args=[survey.pk])
    page = client.get(url, {f"f{team.pk}": 0, f"f{shift.pk}": 1})
    assert page.status_code == 200
    html = page.content.decode()
    assert "This filter is refused" in html and 'class="error-box"' in html
    assert "Stop the tracker?" not in html and "<svg" not in html
    csv_text = client.get(
        reverse("surveys:results_csv", args=[survey.pk]), {f"f{team.pk}": 0, f"f{shift.pk}": 1}
    ).content.decode()
    assert "refused" in csv_text
    assert "Stop the tracker?" not in csv_text


def test_it_refuses_a_filter_whose_difference_from_the_total_is_small(published):
    add_responses(published, [(0, 0, 0)] * 30 + [(1, 0, 1)] * 3)
    team = q(published, TEAM)
    assert results.compute(published, {team.pk: 0}).refused  # 33 - 30 = 3


def test_it_refuses_recovering_a_small_team_from_its_siblings(published):
    # Platform 20, Support 20, Data 3: Data is refused directly, and Support (next
    # smallest) too, or total - Platform - Support would give Data away.
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 3)
    team = q(published, TEAM)
    assert results.compute(published, {team.pk: 2}).refused
    assert results.compute(published, {team.pk: 1}).refused or results.compute(published, {team.pk: 0}).refused
    shown = [results.compute(published, {team.pk: v}).refused is None for v in range(3)]
    assert sum(shown) <= 1


def test_it_allows_large_groups_and_hides_questions_whose_difference_is_small(published):
    # Platform 20 (all answered), others 25 of whom only 2 answered the yes/no question.
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 0, None)] * 13 + [(2, 1, None)] * 10 + [(1, 1, 1)] * 2)
    team = q(published, TEAM)
    res = results.compute(published, {team.pk: 0})
    assert res.refused is None and res.n == 20
    answer = next(r for r in res.questions if r.question == q(published, ANSWER))
    assert answer.n is None and "wider view" in answer.note  # 22 answered overall - 20 here = 2 exposed


def test_bad_filters_get_a_clear_400(published, as_user):
    url = reverse("surveys:results", args=[published.pk])
    team = q(published, TEAM)
    response = as_user("owner").get(url, {f"f{team.pk}": "99"})
    assert response.status_code == 400
    assert "Unknown filter value" in response.content.decode()

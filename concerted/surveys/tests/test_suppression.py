"""Honest suppression in released results: the k-rule on breakdowns by group, large
anonymous totals shown, every hidden figure with its real reason, one label per meaning."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys import releases, results
from concerted.surveys.summary import brief_rows

from .conftest import add_responses

pytestmark = pytest.mark.django_db

TEAM, SHIFT, ANSWER = 0, 1, 2


def q(survey, i):
    return survey.ordered_questions()[i]


def question_result(res, survey, i):
    return next(r for r in res.questions if r.question == q(survey, i))


def test_it_shows_nothing_before_the_first_release(published):
    add_responses(published, [(0, 0, 0)] * 4)
    with pytest.raises(releases.NotReady):
        releases.make(published)  # fewer than 5 respondents
    res = results.compute(published)
    assert res.release is None and res.total is None and res.questions == []
    rows = brief_rows(published.campaign)
    assert rows and all(r["count"] is None and r["percent"] is None for r in rows)
    assert "No results released yet" in rows[0]["note"]


def test_it_hides_a_small_group_with_its_reason_but_shows_the_anonymous_total(published):
    # Platform 20, Support 3, Data 6 (shift not given). Everyone: Yes 26, No 3.
    add_responses(published, [(0, None, 0)] * 20 + [(1, None, 1)] * 3 + [(2, None, 0)] * 6)
    releases.make(published)
    res = results.compute(published)
    team = question_result(res, published, TEAM)
    platform, support, data = team.rows
    assert platform.count == 20
    assert support.hidden and support.reason == results.SMALL
    assert data.hidden and data.reason == results.COVER  # or Support = 29 - 20 - 6
    assert support.hidden_label != data.hidden_label  # one label, one meaning
    answer = question_result(res, published, ANSWER)
    # No group breakdown: the 3 who said No are not a group, so the headline shows.
    assert [r.count for r in answer.rows] == [26, 3] and answer.n == 29


def test_a_large_anonymous_total_shows_even_when_few_did_not_tick(campaign):
    from concerted.surveys import answering
    from concerted.surveys.models import Option, Question, Survey

    survey = Survey.objects.create(campaign=campaign, title="M", status="published", one_per_invite=False)
    multi = Question.objects.create(survey=survey, kind="multi", text="What does it watch?")
    for i, label in enumerate(["Work computer", "Phone", "Chat"]):
        Option.objects.create(question=multi, position=i, label=label)
    for i in range(32):
        # 30 of 32 name the work computer (the demo kit's headline), 2 the phone
        answering.submit(survey, {multi.pk: ([0] if i < 30 else []) + ([1] if i < 2 else []) + [2]}, {})
    releases.make(survey)
    rows = results.compute(survey).questions[0].rows
    assert [r.count for r in rows] == [30, 2, 32]


def test_a_zero_cell_is_shown_and_never_used_as_cover(published):
    add_responses(published, [(0, 0, 0)] * 12)
    releases.make(published)
    res = results.compute(published)
    assert [r.count for r in question_result(res, published, ANSWER).rows] == [12, 0]


def test_free_text_needs_ten_respondents(published, as_user):
    add_responses(published, [(0, 0, 0)] * 9)
    export = as_user("owner").get(reverse("surveys:export", args=[published.pk])).json()
    assert export["records"] == [] and export["parent"]["withheld"] is True


def test_a_small_group_has_no_view_and_says_why(published, as_user):
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 3)
    releases.make(published)
    team = q(published, TEAM)
    client = as_user("owner")
    url = reverse("surveys:results", args=[published.pk])
    html = client.get(url, {"view": f"{team.pk}=2"}).content.decode()
    assert "is not shown on its own" in html and "Stop the tracker?" not in html
    csv_text = client.get(reverse("surveys:results_csv", args=[published.pk]), {"view": f"{team.pk}=2"}).content
    assert b"Stop the tracker?" not in csv_text and b"not shown on its own" in csv_text
    page = client.get(url).content.decode()
    assert "fewer than 5" in page and "hidden to protect" in page  # the legend: each label with its meaning


def test_only_the_fixed_views_exist(published, as_user):
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 20)
    releases.make(published)
    team, shift = q(published, TEAM), q(published, SHIFT)
    client = as_user("owner")
    url = reverse("surveys:results", args=[published.pk])
    # No cross-filters: old-style filter parameters are ignored, an unknown view is refused.
    crossed = client.get(url, {"view": f"{team.pk}=0,{shift.pk}=1"})
    assert crossed.status_code == 400 and "There is no such view" in crossed.content.decode()
    assert client.get(url, {f"f{team.pk}": 0, f"f{shift.pk}": 1}).status_code == 200

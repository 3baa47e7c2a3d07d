"""Every organizer view: owner and teammate succeed; outsider and anonymous get nothing;
the wrong method gets 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys import releases
from concerted.surveys.models import Question, Survey

from .conftest import add_responses

pytestmark = pytest.mark.django_db


def views(survey):
    question = survey.ordered_questions()[2]
    return [
        # (url, method, data, expected success status, wrong method)
        (reverse("surveys:new", args=[survey.campaign_id]), "get", None, 200, "put"),
        (reverse("surveys:builder", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:edit", args=[survey.pk]), "get", None, 200, "put"),
        (reverse("surveys:question_edit", args=[question.pk]), "get", None, 200, "put"),
        (reverse("surveys:preview", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:makeup", args=[survey.pk]), "get", None, 200, "put"),
        (reverse("surveys:results", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:results_csv", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:release", args=[survey.pk]), "get", None, 200, "put"),
        (reverse("surveys:release", args=[survey.pk]), "post", {}, 302, "put"),
        (reverse("surveys:export", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:freetext", args=[survey.pk]), "get", None, 200, "post"),
        (reverse("surveys:question_move", args=[question.pk]), "post", {"direction": "up"}, 302, "get"),
        (reverse("surveys:question_add", args=[survey.pk]), "post", {"kind": "number", "text": "Hours?"}, 302, "get"),
        (reverse("surveys:status", args=[survey.pk]), "post", {"status": "published"}, 200, "get"),  # asks first
        (reverse("surveys:status", args=[survey.pk]), "post", {"status": "published", "confirm": "yes"}, 302, "get"),
        (reverse("surveys:question_delete", args=[question.pk]), "post", {"confirm": "yes"}, 302, "get"),
    ]


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_organizers_can_use_every_view(survey, as_user, who):
    client = as_user(who)
    for url, method, data, status, _wrong in views(survey):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == status, url


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_others_get_nothing(survey, as_user, who):
    client = as_user(who)
    for url, method, data, _status, _wrong in views(survey):
        response = getattr(client, method)(url, data or {})
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"], url
        else:
            assert response.status_code == 404, url
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    assert survey.questions.count() == 4


def test_the_wrong_method_gets_405(survey, as_user):
    client = as_user("owner")
    for url, _method, _data, _status, wrong in views(survey):
        assert getattr(client, wrong)(url).status_code == 405, url


def test_it_builds_every_kind_of_question(survey, as_user):
    client = as_user("owner")
    url = reverse("surveys:question_add", args=[survey.pk])
    for kind, options in [
        ("single", "A\nB"),
        ("multi", "A\nB\nC"),
        ("scale", ""),
        ("rank", "X\nY\nZ"),
        ("number", ""),
        ("text", ""),
    ]:
        assert (
            client.post(url, {"kind": kind, "text": f"A {kind} question", "options_text": options}).status_code == 302
        )
    scale = Question.objects.get(survey=survey, kind="scale")
    assert scale.option_list()[0].label == "Strongly disagree" and scale.options.count() == 5
    assert Question.objects.get(survey=survey, kind="rank").options.count() == 3
    # A segment question with no options takes the campaign's groups. (The fixture's own
    # team question goes first: a survey asks each kind of segment once.)
    survey.questions.filter(segment="team").delete()
    client.post(url, {"kind": "single", "text": "Team?", "segment": "team"})
    assert [o.label for o in Question.objects.get(text="Team?").option_list()] == ["Data", "Platform", "Support"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single", "text": "Q", "options_text": "Only one"}, "at least two options"),
        ({"kind": "single", "text": "Q", "options_text": "A\nA"}, "must be different"),
        ({"kind": "multi", "text": "Q", "segment": "team", "options_text": "A\nB"}, "single-choice"),
        ({"kind": "single", "text": "Q", "segment": "tenure"}, "type the options"),
        ({"kind": "number", "text": "Q", "number_min": "5", "number_max": "1"}, "smallest"),
        ({"kind": "single", "text": "", "options_text": "A\nB"}, "required"),
    ],
)
def test_builder_explains_bad_input(survey, as_user, data, message):
    response = as_user("owner").post(reverse("surveys:question_add", args=[survey.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert survey.questions.count() == 4


def test_publishing_locks_questions_and_thresholds(survey, as_user):
    client = as_user("owner")
    # Publishing fixes the questions for good: it asks once, with the phone preview at hand.
    response = client.post(reverse("surveys:status", args=[survey.pk]), {"status": "published"})
    assert "Publish this survey?" in response.content.decode()
    assert reverse("surveys:preview", args=[survey.pk]) in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT and not survey.locked
    client.post(reverse("surveys:status", args=[survey.pk]), {"status": "published", "confirm": "yes"})
    survey.refresh_from_db()
    assert survey.locked
    question = survey.ordered_questions()[2]
    response = client.post(reverse("surveys:question_edit", args=[question.pk]), {"kind": "single", "text": "Changed"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Stop the tracker?"
    client.post(reverse("surveys:question_add", args=[survey.pk]), {"kind": "number", "text": "New"})
    assert survey.questions.count() == 4
    client.post(
        reverse("surveys:edit", args=[survey.pk]),
        {"title": "Tracking", "design": "opt_in", "min_group": "5", "min_free_text": "10"},
    )
    survey.refresh_from_db()
    assert survey.design == Survey.Design.PROBABILITY  # disabled field keeps its value


def test_thresholds_cannot_go_below_the_floor(survey, as_user):
    response = as_user("owner").post(
        reverse("surveys:edit", args=[survey.pk]),
        {"title": "T", "design": "census", "min_group": "2", "min_free_text": "3"},
    )
    assert response.status_code == 400
    assert "At least 5" in response.content.decode()


def test_publishing_needs_the_committee_key(survey, as_user):
    survey.campaign.public_key = ""
    survey.campaign.save()
    as_user("owner").post(reverse("surveys:status", args=[survey.pk]), {"status": "published", "confirm": "yes"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_the_ai_template_is_created_from_the_new_page(campaign, as_user):
    response = as_user("teammate").post(reverse("surveys:new", args=[campaign.pk]), {"template": "ai_at_work"})
    assert response.status_code == 302
    survey = Survey.objects.get(campaign=campaign)
    assert survey.template == "ai_at_work" and survey.questions.count() == 11


def test_makeup_saves_margins_and_cross_table_and_weights_results(published, as_user):
    add_responses(published, [(0, 0, 0)] * 30 + [(1, 0, 1)] * 10 + [(2, 1, 1)] * 10 + [(1, 1, 0)] * 10)
    team, shift = published.ordered_questions()[:2]
    client = as_user("owner")
    url = reverse("surveys:makeup", args=[published.pk])
    data = {f"m_{team.pk}_0": "20", f"m_{team.pk}_1": "40", f"m_{team.pk}_2": "40"}
    assert client.post(url, data).status_code == 302
    published.refresh_from_db()
    assert published.makeup["marginals"][str(team.pk)] == {"0": 20, "1": 40, "2": 40}
    releases.make(published)
    page = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "raking" in page and "design effect" in page
    partial = client.post(url, {**data, "c_0,0": "5"})
    assert partial.status_code == 400 and "every cell" in partial.content.decode()
    cells = {f"c_{a},{b}": "10" for a in range(3) for b in range(2)}
    assert client.post(url, cells).status_code == 302
    add_responses(published, [(0, 0, 0)] * 5)
    releases.make(published)  # weights change with the next release only
    page = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "raking" in page and "a known cell had no respondents" in page  # Platform nights: nobody answered
    cells.update({"c_0,1": "0", "c_2,0": "0"})
    assert client.post(url, cells).status_code == 302
    add_responses(published, [(0, 0, 0)] * 5)
    releases.make(published)
    page = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "post-stratification" in page
    bad = client.post(url, {f"m_{team.pk}_0": "-3"})
    assert bad.status_code == 400 and "whole numbers" in bad.content.decode()
    del shift


def test_the_builder_warns_when_segment_questions_make_groups_tiny(survey, as_user):
    url = reverse("surveys:builder", args=[survey.pk])
    assert "combinations" not in as_user("owner").get(url).content.decode()  # 3 x 2 cells in a unit of 100
    as_user("owner").post(
        reverse("surveys:question_add", args=[survey.pk]),
        {"kind": "single", "text": "Tenure?", "segment": "tenure", "options_text": "<1\n1-2\n2-5\n5-10\n10+"},
    )
    html = as_user("owner").get(url).content.decode()
    assert "30 combinations" in html and "traced to its author" in html


def test_a_group_view_shows_its_group(published, as_user):
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 20)
    releases.make(published)
    team = published.ordered_questions()[0]
    html = (
        as_user("owner").get(reverse("surveys:results", args=[published.pk]), {"view": f"{team.pk}=1"}).content.decode()
    )
    assert "20 respondents in this view" in html and "error-box" not in html


def test_new_surveys_require_invite_codes_and_the_builder_says_so(campaign, as_user):
    client = as_user("owner")
    form = client.get(reverse("surveys:new", args=[campaign.pk])).content.decode()
    assert 'name="one_per_invite"' in form and "checked" in form.split('name="one_per_invite"')[1][:250]
    client.post(reverse("surveys:new", args=[campaign.pk]), {"template": "ai_at_work"})
    survey = Survey.objects.get(campaign=campaign)
    assert survey.one_per_invite is True
    assert "Invite codes required" in client.get(reverse("surveys:builder", args=[survey.pk])).content.decode()
    survey.one_per_invite = False
    survey.save()
    html = client.get(reverse("surveys:builder", args=[survey.pk])).content.decode()
    assert "anyone with the link can answer again and again" in html

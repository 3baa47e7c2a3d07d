"""One response per single-use invite code (concerted.invites)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.invites import codes
from concerted.invites.models import InviteBatch, InviteCode
from concerted.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_survey(published):
    published.one_per_invite = True
    published.save()
    return published


@pytest.fixture
def code_list(invite_survey):
    _batch, plain = codes.create_batch(invite_survey.campaign, Survey.INVITE_KIND, invite_survey.pk, 3, "break room")
    return plain


def post(survey, **data):
    # One answer ("Stop the tracker?" Yes): a response with none is refused.
    data.setdefault(f"q{survey.ordered_questions()[2].pk}", "0")
    return Client().post(reverse("surveys:answer", args=[survey.slug]), data)


def test_a_code_answers_once(invite_survey, code_list):
    assert post(invite_survey, invite_code=codes.display(code_list[0])).status_code == 302
    assert Response.objects.count() == 1
    again = post(invite_survey, invite_code=code_list[0])
    assert again.status_code == 400
    assert Response.objects.count() == 1
    assert InviteCode.objects.count() == 2
    assert InviteBatch.objects.get().used == 1


def test_a_used_code_is_refused_naming_a_survey(invite_survey, code_list):
    assert post(invite_survey, invite_code=code_list[0]).status_code == 302
    again = post(invite_survey, invite_code=code_list[0])
    html = again.content.decode().replace("&#x27;", "'")
    assert again.status_code == 400
    assert "That invite code doesn't work here" in html
    assert "only for the survey on its card" in html and "petition or pledge" not in html
    assert "Cards from a batch the committee has voided don't work either." in html
    assert Response.objects.count() == 1


def test_no_code_or_a_typo_is_refused_with_a_clear_message(invite_survey, code_list):
    missing = post(invite_survey)
    assert missing.status_code == 400 and "Enter the invite code" in missing.content.decode()
    typo = code_list[0][:-1] + ("a" if code_list[0][-1] != "a" else "b")
    response = post(invite_survey, invite_code=typo)
    assert response.status_code == 400
    assert not Response.objects.exists()
    assert InviteCode.objects.count() == 3


def test_a_code_for_another_survey_does_not_work(invite_survey, campaign):
    other = Survey.objects.create(campaign=campaign, title="Other", status="published", one_per_invite=True)
    _b, other_codes = codes.create_batch(campaign, Survey.INVITE_KIND, other.pk, 1)
    assert post(invite_survey, invite_code=other_codes[0]).status_code == 400
    assert not Response.objects.exists()


def test_a_get_with_the_code_uses_nothing_up(invite_survey, code_list):
    response = Client().get(reverse("surveys:answer", args=[invite_survey.slug]), {"code": code_list[0]})
    assert response.status_code == 200
    assert codes.display(code_list[0]) in response.content.decode() or code_list[0] in response.content.decode()
    assert InviteCode.objects.count() == 3


def test_the_response_row_holds_nothing_about_the_code(invite_survey, code_list):
    post(invite_survey, invite_code=code_list[1])
    row = Response.objects.get()
    assert {f.name for f in Response._meta.get_fields()} == {
        "id",
        "survey",
        "values",
        "day",
        "may_message",
        "stop_hash",
    }
    assert code_list[1].encode() not in bytes(row.values)


def test_surveys_have_a_flyer_and_invite_page(invite_survey, as_user):
    url = reverse("flyers:page", args=["survey", invite_survey.pk])
    assert as_user("owner").get(url).status_code == 200
    assert as_user("teammate").get(url).status_code == 200
    assert as_user("outsider").get(url).status_code == 404

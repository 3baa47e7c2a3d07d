"""Invite codes say nothing by GET (DESIGN invariants 10 and 11).

A card with a code may be photographed or left lying around. If opening its link told
whether the code was already used, whoever holds the card would learn whether its owner
acted. So a GET with ?code=X only fills the field in: the page for a used code and the
page for an unused one are the same bytes, apart from the CSRF token and the code itself."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core.days import today
from concerted.invites import codes
from concerted.invites.models import InviteBatch
from concerted.petitions.models import Petition
from concerted.pledges.models import Pledge
from concerted.surveys.models import Option, Question, Survey

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _targets(campaign, petition):
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the tracker",
        promise="I will decline.",
        threshold_count=10,
        deadline=today() + datetime.timedelta(days=10),
        requires_invite=True,
    )
    pledge.open()
    survey = Survey.objects.create(campaign=campaign, title="Tracking", one_per_invite=True)
    question = Question.objects.create(survey=survey, position=0, kind="single", text="Stop the tracker?")
    for i, label in enumerate(["Yes", "No"]):
        Option.objects.create(question=question, position=i, label=label)
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    return [
        (Petition.INVITE_KIND, petition, reverse("petitions:sign", args=[petition.slug]), {"name": "Ada"}),
        (Pledge.INVITE_KIND, pledge, reverse("pledges:pledge", args=[pledge.slug]), {"name": "Ada"}),
        # One answer: a survey response that answers nothing is refused.
        (Survey.INVITE_KIND, survey, reverse("surveys:answer", args=[survey.slug]), {f"q{question.pk}": "0"}),
    ]


def _page(url: str, code: str) -> bytes:
    response = Client().get(f"{url}?code={code}")
    assert response.status_code == 200
    body = CSRF.sub(b"CSRF", response.content)
    return body.replace(codes.display(code).encode(), b"CODE").replace(code.encode(), b"CODE")


def test_it_gives_the_same_page_for_a_used_and_an_unused_code(campaign, petition):
    for kind, target, url, fields in _targets(campaign, petition):
        _batch, plain = codes.create_batch(campaign, kind, target.pk, 2, "break room")
        used, unused = plain
        posted = Client().post(url, {**fields, "invite_code": used})
        assert posted.status_code == 302, posted.content.decode()
        assert InviteBatch.objects.get(target_id=target.pk).used == 1
        assert _page(url, used) == _page(url, unused), f"{kind}: a GET tells a used code from an unused one"
        # Only the person submitting the form learns the code was used.
        again = Client().post(url, {**fields, "invite_code": used})
        assert again.status_code == 400
        assert "may already have been used" in again.content.decode()

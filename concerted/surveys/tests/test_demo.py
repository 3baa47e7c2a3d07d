from __future__ import annotations

import random

import pytest

from concerted.core.demo import DemoContext
from concerted.surveys import demo, results
from concerted.surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_ai_survey_with_a_few_hundred_responses(campaign, owner, private_key):
    lines = demo.load(DemoContext(campaign, owner, private_key, random.Random(4), "http://127.0.0.1:8000"))
    survey = Survey.objects.get(campaign=campaign)
    assert survey.template == "ai_at_work" and survey.status == Survey.Status.PUBLISHED
    assert survey.responses.count() == demo.DEMO_RESPONSES >= 200
    assert "/s/" in lines[0]
    res = results.compute(survey)
    assert res.weighting.method == "raking" and res.n == demo.DEMO_RESPONSES
    assert any(qr.has_national for qr in res.questions)

"""Every problem of a refused response reaches the summary at the top and its question,
even one only a tampered page can cause (docs/SURVEYS.md, "Answering")."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from concerted.surveys.models import Response

from .test_answer import ai_answers, answer_url

pytestmark = pytest.mark.django_db


def test_a_ranking_position_out_of_range_is_named_and_marked(ai_survey):
    qs, data = ai_answers(ai_survey)
    rank = qs[6]
    item = rank.option_list()[0].label
    data[f"q{rank.pk}_0"] = "7"
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    assert not Response.objects.exists()
    html = response.content.decode().replace("&#x27;", "'")
    box = re.search(r'<div class="error-box" role="alert" tabindex="-1" autofocus>(.*?)</div>', html, re.S).group(1)
    assert "Please fix the answers marked below" in box
    message = f"“{item}”: give it a position from 1 to 4, or leave it unranked."
    assert message in box and f'href="#id_q{rank.pk}_0"' in box
    assert rank.text in box
    # ...and at the ranking itself, its selects marked invalid and described by it.
    assert f'<div id="id_q{rank.pk}_error"><p class="error" role="alert">{message}</p></div>' in html
    select = re.search(rf'<select name="q{rank.pk}_0"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in select and f"id_q{rank.pk}_error" in select


def test_every_error_of_the_form_is_in_the_summary(ai_survey):
    """Whatever field a problem is on, the summary lists as many problems as the form has."""
    qs, data = ai_answers(ai_survey)
    data[f"q{qs[6].pk}_0"] = "7"
    data[f"q{qs[6].pk}_1"] = "x"
    data[f"q{qs[0].pk}"] = "9"
    data[f"q{qs[9].pk}"] = "many"
    from concerted.surveys.forms import AnswerForm

    form = AnswerForm(data, survey=ai_survey)
    assert not form.is_valid()
    errors = sum(len(messages) for messages in form.errors.values())
    assert len(form.problems()) == errors == 4

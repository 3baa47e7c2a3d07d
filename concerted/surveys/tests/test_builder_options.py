"""Options that look the same are the same option, however the accent was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys.models import Question

pytestmark = pytest.mark.django_db


def test_options_equal_after_unicode_normalization_are_duplicates(survey, as_user):
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    assert composed != decomposed
    url = reverse("surveys:question_add", args=[survey.pk])
    response = as_user("owner").post(
        url, {"kind": "single", "text": "Where?", "options_text": f"{composed}\n{decomposed}"}
    )
    assert response.status_code == 400 and "Each option must be different" in response.content.decode()
    assert (
        as_user("owner")
        .post(url, {"kind": "single", "text": "Where?", "options_text": f"{decomposed}\nOffice"})
        .status_code
        == 302
    )
    assert [o.label for o in Question.objects.get(text="Where?").option_list()] == [composed, "Office"]

"""`concerted reveal --survey` says how many written answers it opened, never a count of
people: free text is not linked to its respondent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerted.core import keys
from concerted.core.reveal import count_line
from concerted.surveys.models import FREE_TEXT_KIND, Question, Response

from .test_answer import ai_answers, answer_url

pytestmark = pytest.mark.django_db


def test_the_line_for_survey_free_text_counts_written_answers():
    line = count_line(FREE_TEXT_KIND, 16, 16, "16 record(s): 16 different people")
    assert line.startswith("16 written answers") and "not a count of people" in line
    assert "Different people" not in line
    assert count_line("petitions.signature", 3, 2, "3 record(s)") == "Different people: 2 (3 record(s))"


def test_concerted_reveal_survey_prints_written_answers_not_people(ai_survey, as_user, private_key, tmp_path, capsys):
    qs, data = ai_answers(ai_survey)
    Question.objects.filter(pk=qs[10].pk).update(position=10)
    second = Question.objects.create(survey=ai_survey, position=11, kind="text", text="And else?")
    ai_survey.forget_questions()
    data[f"q{second.pk}"] = "more"
    for _i in range(7):
        Client().post(answer_url(ai_survey), data)
    data.pop(f"q{second.pk}")
    for _i in range(5):
        Client().post(answer_url(ai_survey), data)
    assert Response.objects.count() == 12
    export = as_user("owner").get(reverse("surveys:export", args=[ai_survey.pk])).content
    (tmp_path / "export.json").write_bytes(export)
    (tmp_path / "committee.key").write_text(keys.format_private(private_key))
    call_command(
        "reveal",
        "--file",
        str(tmp_path / "export.json"),
        "--key",
        str(tmp_path / "committee.key"),
        "--out",
        str(tmp_path),
    )
    out = capsys.readouterr().out
    assert "19 written answers" in out and "Different people" not in out

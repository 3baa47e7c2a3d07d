"""Answering: anonymous, no JavaScript, day only, free text sealed and unlinked."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerted.core import keys
from concerted.core.reveal import EXPORT_PATHS, open_export
from concerted.core.sealing import open_sealed
from concerted.surveys.models import FREE_TEXT_KIND, MISSING, FreeText, Response, Survey

pytestmark = pytest.mark.django_db


def answer_url(survey):
    return reverse("surveys:answer", args=[survey.slug])


def ai_answers(survey):
    qs = {q.position: q for q in survey.ordered_questions()}
    data = {
        f"q{qs[0].pk}": "0",
        f"q{qs[1].pk}": "0",
        f"q{qs[2].pk}": "1",
        f"q{qs[3].pk}": "4",
        f"q{qs[4].pk}": "3",
        f"q{qs[5].pk}": ["0", "2"],
        f"q{qs[6].pk}_0": "2",
        f"q{qs[6].pk}_1": "1",
        f"q{qs[7].pk}": "1",
        f"q{qs[8].pk}": "",
        f"q{qs[9].pk}": "12",
        f"q{qs[10].pk}": "Grubnitz-Tracker-Memo-5512",
    }
    return qs, data


def test_it_shows_the_survey_without_scripts(ai_survey):
    response = Client().get(answer_url(ai_survey))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "Use your personal phone, not a work device or work Wi-Fi." in html
    assert "Prefer not to say" in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_it_stores_packed_answers_and_the_day_only(ai_survey, private_key):
    qs, data = ai_answers(ai_survey)
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    row = Response.objects.get()
    assert isinstance(row.day, datetime.date) and not isinstance(row.day, datetime.datetime)
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "survey", "values", "day", "may_message", "stop_hash"}  # no time, IP, agent, receipt
    values = row.unpacked()
    layout = ai_survey.layout()
    assert values[layout[qs[0].pk][0]] == 0
    assert values[layout[qs[5].pk][0]] == 0b101
    start, width = layout[qs[6].pk]
    assert list(values[start : start + width]) == [2, 1, 0, 0]
    assert values[layout[qs[8].pk][0]] == MISSING  # "prefer not to say"
    assert values[layout[qs[9].pk][0]] == 12
    text = FreeText.objects.get()
    assert b"Grubnitz" not in bytes(text.sealed)
    data = open_sealed(private_key, text.sealed, kind=FREE_TEXT_KIND, ids=text.envelope_ids())
    assert data == {"question": qs[10].text, "answer": "Grubnitz-Tracker-Memo-5512"}
    assert not any(f.name == "response" for f in FreeText._meta.get_fields())  # not linked


def test_an_empty_response_is_fine(ai_survey):
    assert Client().post(answer_url(ai_survey), {}).status_code == 302
    assert np.all(Response.objects.get().unpacked() == MISSING)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (9, "-4", "greater than or equal to 0"),
        (9, "many", "Enter a whole number"),
        (0, "7", "Select a valid choice"),
        (10, "x" * 2001, "at most 2000 characters"),
        (10, "bell\x07", "control characters"),
    ],
)
def test_it_explains_bad_input_and_keeps_the_rest(ai_survey, field, value, message):
    qs, data = ai_answers(ai_survey)
    data[f"q{qs[field].pk}"] = value
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert 'value="12"' in html or field == 9  # typed number kept
    assert not Response.objects.exists() and not FreeText.objects.exists()


@pytest.mark.parametrize(("ranks", "message"), [(("1", "1"), "one item only"), (("2", ""), "without gaps")])
def test_it_checks_rankings(ai_survey, ranks, message):
    qs, data = ai_answers(ai_survey)
    data[f"q{qs[6].pk}_0"], data[f"q{qs[6].pk}_1"] = ranks
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Response.objects.exists()


def test_drafts_are_not_public_and_closed_surveys_take_nothing(survey):
    assert Client().get(answer_url(survey)).status_code == 404
    survey.status = Survey.Status.CLOSED
    survey.save()
    response = Client().post(answer_url(survey), {})
    assert response.status_code == 200 and "closed" in response.content.decode()
    assert not Response.objects.exists()


def test_it_respects_open_and_close_dates(published):
    today = datetime.date.today()
    published.opens_on = today + datetime.timedelta(days=2)
    published.save()
    response = Client().post(answer_url(published), {})
    assert "This survey opens on" in response.content.decode()
    published.opens_on, published.closes_on = today - datetime.timedelta(days=5), today - datetime.timedelta(days=1)
    published.save()
    Client().post(answer_url(published), {})
    assert not Response.objects.exists()


def test_the_answer_page_only_takes_get_and_post(ai_survey):
    assert Client().put(answer_url(ai_survey)).status_code == 405
    assert Client().post(reverse("surveys:thanks", args=[ai_survey.slug])).status_code == 405


def test_reveal_opens_free_text_only_from_ten_respondents(ai_survey, as_user, private_key):
    qs, data = ai_answers(ai_survey)
    client = Client()
    for i in range(10):
        data[f"q{qs[10].pk}"] = f"comment {i}"
        client.post(answer_url(ai_survey), data)
    export = as_user("teammate").get(reverse("surveys:export", args=[ai_survey.pk])).json()
    assert len(export["records"]) == 10
    assert all(set(r) == {"id", "sealed"} for r in export["records"])  # no day, no segment
    revealed = open_export(export, private_key)
    assert sorted(r["answer"] for r in revealed.rows) == [f"comment {i}" for i in range(10)]
    assert EXPORT_PATHS["survey"] == "/o/surveys/{id}/export.json"
    # A record moved to another survey is refused.
    other = Survey.objects.create(campaign=ai_survey.campaign, title="Other", one_per_invite=False)
    export["parent"]["id"] = str(other.pk)
    with pytest.raises(Exception, match="none of the records"):
        open_export(export, private_key)


def test_concerted_reveal_survey_from_a_file(ai_survey, as_user, private_key, tmp_path):
    _qs, data = ai_answers(ai_survey)
    for _i in range(10):
        Client().post(answer_url(ai_survey), data)
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
    csv_files = list(tmp_path.glob("*.csv"))
    assert csv_files and "Grubnitz-Tracker-Memo-5512" in csv_files[0].read_text()
    assert json.loads(export)["kind"] == FREE_TEXT_KIND


def test_rows_are_stored_in_random_order(published):
    from django.db import connection

    from concerted.surveys import answering

    submitted = [answering.submit(published, {}, {}).pk for _i in range(30)]
    assert submitted != sorted(submitted)  # random ids, not a counter (1 in 30! to fail by chance)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM surveys_response")
        stored = [row[0] for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        assert stored == sorted(submitted)  # the table is kept in id (rowid) order, not submission order


@pytest.mark.django_db(transaction=True)
def test_free_text_never_reaches_the_database_file_in_the_clear(ai_survey):
    from concerted.core.testing import assert_absent, database_bytes

    qs, data = ai_answers(ai_survey)
    data[f"q{qs[10].pk}"] = "Snorkelwick-overtime-grievance-9081"
    client = Client(REMOTE_ADDR="203.0.113.99", HTTP_USER_AGENT="SurveyLeakAgent/1.0")
    assert client.post(answer_url(ai_survey), data).status_code == 302
    assert FreeText.objects.count() == 1
    assert_absent(database_bytes(), "Snorkelwick-overtime-grievance-9081", "203.0.113.99", "SurveyLeakAgent")

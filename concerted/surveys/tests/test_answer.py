"""Answering: anonymous, no JavaScript, day only, free text sealed and unlinked."""

from __future__ import annotations

import datetime
import json
import re

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


def test_an_empty_response_is_refused(ai_survey):
    # An accidental tap on Send: a respondent with nothing in it would still be counted.
    response = Client().post(answer_url(ai_survey), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer at least one question" in html
    assert "Please fix the answers marked below" not in html  # nothing is marked below
    assert not Response.objects.exists()


def test_what_is_not_an_answer_does_not_count_as_one(ai_survey):
    """ "Prefer not to say", a ranking left blank, spaces in the free text, the consent
    box and a contact: each is stored as nothing, so none makes a response."""
    ai_survey.asks_for_contact = True
    ai_survey.save()
    qs = {q.position: q for q in ai_survey.ordered_questions()}
    data = {
        f"q{qs[7].pk}": "",  # prefer not to say
        f"q{qs[6].pk}_0": "",
        f"q{qs[10].pk}": "   ",
        "may_message": "on",
        "contact": "someone@example.org",
    }
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    assert "Answer at least one question" in response.content.decode()
    assert 'value="someone@example.org"' in response.content.decode()  # nothing typed lost
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("position", "value"),
    [(0, "0"), (5, ["1"]), (6, "1"), (9, "0"), (10, "Just this")],
)
def test_one_answer_is_enough(ai_survey, position, value):
    qs = {q.position: q for q in ai_survey.ordered_questions()}
    name = f"q{qs[position].pk}_0" if qs[position].kind == "rank" else f"q{qs[position].pk}"
    assert Client().post(answer_url(ai_survey), {name: value}).status_code == 302
    assert Response.objects.count() == 1


def test_a_refused_answer_is_not_also_called_empty(ai_survey):
    qs = {q.position: q for q in ai_survey.ordered_questions()}
    html = Client().post(answer_url(ai_survey), {f"q{qs[9].pk}": "many"}).content.decode()
    assert "Enter a whole number" in html and "Answer at least one question" not in html


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


def test_the_error_summary_names_every_problem_and_links_it_to_its_control(ai_survey):
    qs, data = ai_answers(ai_survey)
    data[f"q{qs[6].pk}_0"], data[f"q{qs[6].pk}_1"] = "1", "1"  # a ranking problem
    data[f"q{qs[9].pk}"] = "many"  # and a number problem
    data[f"q{qs[0].pk}"] = "7"  # and a choice problem
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    summary = re.search(r'<div class="error-box" role="alert" tabindex="-1" autofocus>(.*?)</div>', html, re.S)
    assert summary, "the summary takes the focus, as the other forms' do"
    box = summary.group(1)
    # The general message and every problem, the ranking's not in place of the others.
    assert "Please fix the answers marked below" in box
    assert "one item only" in box and "Enter a whole number" in box and "Select a valid choice" in box
    assert f'href="#id_q{qs[6].pk}_0"' in box and f'href="#id_q{qs[9].pk}"' in box
    assert f'href="#id_q{qs[0].pk}_0"' in box
    # The ranking's selects are marked invalid and described by the error.
    rank = f"q{qs[6].pk}"
    for i in range(4):
        select = re.search(rf'<select name="{rank}_{i}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in select
        assert f'aria-describedby="id_{rank}_helptext id_{rank}_error"' in select
    assert f'id="id_{rank}_error"' in html and f'id="id_{rank}_helptext"' in html
    # A choice question's fieldset is described by its error, each radio marked invalid.
    choice = f"q{qs[0].pk}"
    assert f'aria-describedby="id_{choice}_error"' in html and f'id="id_{choice}_error"' in html
    assert re.search(rf'<input type="radio" name="{choice}" value="0" id="id_{choice}_0" aria-invalid="true">', html)
    # A choice question's help text is linked too.
    multi = f"q{qs[5].pk}"
    assert f'aria-describedby="id_{multi}_helptext"' in html and f'id="id_{multi}_helptext"' in html
    # The number question: invalid and described by its error, and no fieldset without a legend.
    number = re.search(rf'<input type="number" name="q{qs[9].pk}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in number and f"id_q{qs[9].pk}_error" in number
    assert html.count("<fieldset") == html.count("<legend")


def test_a_required_ranking_left_blank_is_marked_at_the_ranking(ai_survey):
    qs, data = ai_answers(ai_survey)
    rank = qs[6]
    rank.required = True
    rank.save()
    data[f"q{rank.pk}_0"] = data[f"q{rank.pk}_1"] = ""
    response = Client().post(answer_url(ai_survey), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<div id="id_q{rank.pk}_error"><p class="error" role="alert">Rank at least one item.</p></div>' in html
    assert f'href="#id_q{rank.pk}_0"' in html
    assert not Response.objects.exists()


def test_a_valid_page_marks_nothing_invalid(ai_survey):
    html = Client().get(answer_url(ai_survey)).content.decode()
    assert "aria-invalid" not in html and "error-box" not in html
    rank = f"q{ai_survey.ordered_questions()[6].pk}"
    assert f'aria-describedby="id_{rank}_helptext"' in html  # the ranking's help is linked
    assert html.count("<fieldset") == html.count("<legend")


def test_the_campaigns_own_text_is_marked_with_its_language(ai_survey):
    """On a German page, the (English) questions, options and items to rank say so, as
    the title does; the page's own words ("Prefer not to say") don't."""
    qs = {q.position: q for q in ai_survey.ordered_questions()}
    html = Client().get("/de" + answer_url(ai_survey)[3:]).content.decode()
    assert '<h1 lang="en">' in html
    assert f'<span lang="en">{qs[0].text}</span>' in html  # a legend
    assert '<span lang="en">Unions</span>' in html  # an option
    rank_item = qs[6].option_list()[0].label
    assert f'lang="en">{rank_item}</label>' in html  # an item to rank
    assert f'<span lang="en">{qs[9].text}</span>' in html  # a number question's label
    assert re.search(r'value="" id="id_q\d+_\d+"( checked)?> <span>[^<]+</span>', html)  # "Prefer not to say"


def test_a_survey_closed_while_typing_shows_what_was_written_and_keeps_nothing(ai_survey):
    qs, data = ai_answers(ai_survey)
    data[f"q{qs[10].pk}"] = "A long account of the Plonkwhistle tracker, <b>typed</b> for ten minutes."
    ai_survey.status = Survey.Status.CLOSED
    ai_survey.save()
    response = Client().post(answer_url(ai_survey), data)
    html = response.content.decode()
    assert "This survey is closed and no longer takes answers." in html
    assert "Nothing was saved." in html
    assert "A long account of the Plonkwhistle tracker, &lt;b&gt;typed&lt;/b&gt; for ten minutes." in html
    written = re.findall(r"<textarea [^>]*readonly[^>]*>([^<]*)</textarea>", html)
    assert "Yes, a human must decide" in written  # a choice, as its label
    assert "Yes, it has disclosed it" not in written  # not picked
    assert "1. A human makes the final decision\n2. Switch off keystroke and mouse tracking" in written
    assert "12" in written
    assert "Send my answers" not in html and 'name="q' not in html  # read-only: nothing to send
    assert not Response.objects.exists() and not FreeText.objects.exists()


def test_a_survey_past_its_last_day_shows_what_was_written(published):
    published.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    published.save()
    text_q = published.ordered_questions()[3]
    response = Client().post(answer_url(published), {f"q{text_q.pk}": "Written before midnight"})
    html = response.content.decode()
    assert "Written before midnight</textarea>" in html and "Nothing was saved." in html
    assert not Response.objects.exists() and not FreeText.objects.exists()


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


def test_a_ticked_contact_box_needs_a_contact_and_a_contact_needs_the_box(ai_survey):
    ai_survey.asks_for_contact = True
    ai_survey.save()
    qs = {q.position: q for q in ai_survey.ordered_questions()}
    answer = {f"q{qs[10].pk}": "Just this"}
    ticked = Client().post(answer_url(ai_survey), {**answer, "may_message": "on"})
    assert ticked.status_code == 400
    assert "Give a personal email or phone for the committee to write to" in ticked.content.decode()
    unticked = Client().post(answer_url(ai_survey), {**answer, "contact": "someone@example.org"})
    assert unticked.status_code == 400 and "Tick the box for the committee to write to you" in unticked.content.decode()
    assert not Response.objects.exists()

"""Survey respondents who left a contact: an optional box, unticked, at the end of a
survey that offers it; the contact is its own sealed record with no day and nothing
joining it to the answers; the audience opens once the survey is closed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core.sealing import open_sealed
from concerted.messaging.models import Message
from concerted.surveys.models import Question, RespondentContact, Response, Survey

from .conftest import smtp_args
from .test_send import run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey(campaign) -> Survey:
    survey = Survey.objects.create(
        campaign=campaign, title="Workload", status=Survey.Status.PUBLISHED, one_per_invite=False, asks_for_contact=True
    )
    Question.objects.create(survey=survey, position=0, kind="number", text="Hours of overtime last week")
    return survey


def answer(survey: Survey, hours: str, contact: str = "", consent: bool = False) -> Client:
    data = {f"q{survey.ordered_questions()[0].pk}": hours, "contact": contact}
    if consent:
        data["may_message"] = "on"
    response = Client().post(reverse("surveys:answer", args=[survey.slug]), data)
    return response


def test_the_survey_offers_an_unticked_box_and_keeps_the_contact_apart(survey, private_key):
    page = Client().get(reverse("surveys:answer", args=[survey.slug])).content.decode()
    box = re.search(r'<input type="checkbox" name="may_message"[^>]*>', page)
    assert box and "checked" not in box.group(0)
    assert "kept apart from your answers" in page

    assert answer(survey, "7", "ana@example.net", consent=True).status_code == 302
    assert answer(survey, "3").status_code == 302  # no contact, no box: only answers
    # A contact without the box (or the box without a contact) is refused, what was typed kept.
    refused = answer(survey, "9", "bo@example.net")
    assert refused.status_code == 400 and 'value="bo@example.net"' in refused.content.decode()
    assert answer(survey, "9", "", consent=True).status_code == 400
    # An employer address is refused like on every form.
    assert answer(survey, "9", "cy@acme.com", consent=True).status_code == 400

    assert Response.objects.count() == 2 and RespondentContact.objects.count() == 1
    contact = RespondentContact.objects.get()
    assert contact.may_message and contact.stop_hash
    assert not any(f.name == "day" for f in RespondentContact._meta.get_fields())
    data = open_sealed(private_key, bytes(contact.sealed), kind=contact.KIND, ids=contact.envelope_ids())
    # The contact and its stop token; nothing of the answers, no response id, no day.
    assert set(data) == {"contact", "may_message", "stop"} and data["contact"] == "ana@example.net"

    survey.asks_for_contact = False
    survey.save()
    page = Client().get(reverse("surveys:answer", args=[survey.slug])).content.decode()
    assert 'name="may_message"' not in page and 'name="contact"' not in page
    answer(survey, "5", "di@example.net", consent=True)
    assert RespondentContact.objects.count() == 1  # a survey that doesn't offer it keeps none


def test_respondents_are_counted_and_written_to_only_once_the_survey_is_closed(
    as_user, survey, download, key_file, smtp, tmp_path
):
    for i in range(5):
        answer(survey, str(i), f"p{i}@example.net", consent=True)
    answer(survey, "8")
    organizer = as_user("owner")
    listing = organizer.get(reverse("messaging:list", args=[survey.campaign_id])).content.decode()
    assert "Survey respondents who left a contact: Workload" in listing
    assert "counted once it can be written to" in listing and "once the survey is closed" in listing
    response = organizer.post(
        reverse("messaging:new", args=[survey.campaign_id]),
        {"audience_choice": f"surveys.respondents:{survey.pk}", "subject": "Results", "body": "Thank you."},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert organizer.get(reverse("messaging:send_json", args=[message.pk])).status_code == 403

    survey.status = Survey.Status.CLOSED
    survey.save()
    listing = organizer.get(reverse("messaging:list", args=[survey.campaign_id])).content.decode()
    assert re.search(r'class="count">5<', listing)
    out, _err = run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        *smtp_args(smtp),
    )  # fmt: skip
    assert sorted(smtp.to()) == [f"p{i}@example.net" for i in range(5)]
    assert "Sent 5 messages" in out

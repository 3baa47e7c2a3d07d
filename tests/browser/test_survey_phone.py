"""A coworker answers the "AI at work" survey on a phone, JavaScript off, nothing leaves
the server, and only the packed answers, the day and sealed free text are stored."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concerted.surveys import ai_at_work
from concerted.surveys.models import FreeText, Response, Survey

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ai_survey(campaign):
    survey = ai_at_work.create(campaign, one_per_invite=False)
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    return survey


def test_it_answers_the_ai_at_work_survey_on_a_phone_without_javascript(phone_page, ai_survey):
    page = phone_page
    page.goto(f"{page.live_url}/s/{ai_survey.slug}/")
    assert page.get_by_role("heading", name="AI at work").is_visible()
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    assert_fits_phone(page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_phone(page)
    page.get_by_label("Yes, a human must decide").check()
    page.get_by_label("Unions").check()
    page.get_by_label("Yes, it has disclosed it").check()
    page.get_by_role("group", name="Keystroke and mouse tracking").get_by_label("Strongly agree").check()
    page.get_by_label("No keystroke, mouse or screen tracking").check()
    page.get_by_label("No AI-usage or token-count targets in evaluations").check()
    # Ranking without JavaScript: a number per item. A duplicate is refused, choices kept.
    page.get_by_label("Switch off keystroke and mouse tracking").select_option("1")
    page.get_by_label("A human makes the final decision", exact=True).select_option("1")
    page.get_by_label("About how many hours a week").fill("6")
    page.get_by_label("Anything else the committee should know").fill("Quimbleforth tracker complaint")
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_text("one item only").first.is_visible()
    assert page.get_by_label("Unions").is_checked()
    assert page.get_by_label("About how many hours a week").input_value() == "6"
    assert_fits_phone(page)
    page.get_by_label("A human makes the final decision", exact=True).select_option("2")
    page.get_by_role("group", name="Which team are you on?").get_by_label("Support").check()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="Thank you. Your answers were recorded.").is_visible()
    assert_fits_phone(page)
    assert_stayed_local(page)
    assert Response.objects.filter(survey=ai_survey).count() == 1
    assert FreeText.objects.filter(survey=ai_survey).count() == 1
    assert b"Quimbleforth" not in bytes(FreeText.objects.get().sealed)
    assert not [c for c in page.context.cookies() if c["name"] != "csrftoken"], "only the CSRF cookie is allowed"


def test_the_organizer_reads_written_answers_in_the_browser(desktop_page, ai_survey, owner, private_key):
    from django.conf import settings
    from django.test import Client

    from concerted.core import keys
    from concerted.surveys import answering

    text_q = ai_survey.ordered_questions()[-1]
    for i in range(10):
        answering.submit(ai_survey, {}, {text_q.pk: f"Comment <b>{i}</b>" if i == 3 else f"Comment {i}"})
    page = desktop_page
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.live_url}])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{page.live_url}/o/surveys/{ai_survey.pk}/written/")
    page.fill("#keytext", keys.format_private(private_key))
    page.get_by_role("button", name="Open the written answers").click()
    # A locator assertion, not wait_for_function: the page's CSP forbids string eval.
    expect(page.locator("#freetext-status")).to_contain_text("Opened 10", timeout=15000)
    assert page.get_by_role("heading", name=text_q.text).is_visible()
    assert page.get_by_text("Comment <b>3</b>").is_visible()  # text, not markup
    assert not errors, errors
    assert_stayed_local(page)

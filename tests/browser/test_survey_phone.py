"""A coworker answers the "AI at work" survey on a phone, JavaScript off, nothing leaves
the server, and only the packed answers, the day and sealed free text are stored."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concerted.surveys import ai_at_work
from concerted.surveys.models import FreeText, Response, Survey

from .conftest import assert_fits_phone, assert_stayed_local, axe_problems

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
    # Each count with its own plural, and nothing said about failures when there were none.
    expect(page.locator("#freetext-status")).to_have_text("Opened 10 answers.", timeout=15000)
    assert page.get_by_role("heading", name=text_q.text).is_visible()
    assert page.get_by_text("Comment <b>3</b>").is_visible()  # text, not markup
    assert not errors, errors
    assert_stayed_local(page)


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_ranking_fits_a_phone_at_200_percent_zoom(browser, live_server, ai_survey, language):
    # 200% zoom on a 390-px phone leaves 195 CSS px; "Nicht eingeordnet" made each rank
    # select about 40 px too wide for that.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 195, "height": 422})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{language}/s/{ai_survey.slug}/")
        selects = page.locator(".rank-row select")
        assert selects.count() == 4
        assert_fits_phone(page)
        for i in range(selects.count()):
            box = selects.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 195 + 0.5, box
            # ...and the item's name is not squeezed to a letter a line beside it.
            label = page.locator(".rank-row label").nth(i).bounding_box()
            assert label is not None and label["width"] >= 100, label
    finally:
        context.close()


def test_the_error_summary_names_every_problem_and_takes_the_focus(phone_page, ai_survey):
    page = phone_page
    page.goto(f"{page.live_url}/s/{ai_survey.slug}/")
    page.get_by_label("Switch off keystroke and mouse tracking").select_option("1")
    page.get_by_label("A human makes the final decision", exact=True).select_option("1")
    page.get_by_label("About how many hours a week").fill("-3")
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator(".error-box")
    expect(summary).to_contain_text("Please fix the answers marked below")
    expect(summary).to_contain_text("one item only")  # the ranking's problem...
    expect(summary).to_contain_text("greater than or equal to 0")  # ...and the number's, not instead of it
    assert page.evaluate("() => document.activeElement.classList.contains('error-box')")
    ranked = page.get_by_label("Switch off keystroke and mouse tracking")
    assert ranked.get_attribute("aria-invalid") == "true"
    expect(ranked).to_have_accessible_description(re.compile("one item only"))
    # The summary's link takes the keyboard to the ranking.
    summary.get_by_role("link", name=re.compile("Order these demands")).click()
    expect(page.get_by_label("Switch off keystroke and mouse tracking")).to_be_focused()
    assert page.get_by_label("About how many hours a week").input_value() == "-3"
    assert_fits_phone(page)
    assert not Response.objects.exists()


def test_a_survey_closed_while_typing_shows_what_was_written(phone_page, ai_survey):
    page = phone_page
    page.goto(f"{page.live_url}/s/{ai_survey.slug}/")
    page.get_by_label("Unions").check()
    page.get_by_label("Anything else the committee should know").fill("Zorbleton overtime log, three pages long")
    ai_survey.status = Survey.Status.CLOSED
    ai_survey.save()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_text("This survey is closed and no longer takes answers.").is_visible()
    assert page.get_by_text("Nothing was saved.").is_visible()
    written = page.get_by_label("Anything else the committee should know")
    assert written.input_value() == "Zorbleton overtime log, three pages long"
    assert not written.is_editable()
    assert page.get_by_label("Whom do you trust most").input_value() == "Unions"
    assert not page.get_by_role("button", name="Send my answers").count()
    assert_fits_phone(page)
    assert not Response.objects.exists() and not FreeText.objects.exists()


def test_the_error_and_closed_pages_have_no_serious_axe_violation(browser, live_server, ai_survey):
    # axe needs script; the survey page has none of its own, so JavaScript on shows the same page.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.live_url = live_server.url  # type: ignore[attr-defined]
    try:
        page.goto(f"{live_server.url}/de/s/{ai_survey.slug}/")
        page.locator(".rank-row select").nth(0).select_option("1")
        page.locator(".rank-row select").nth(1).select_option("1")
        page.locator("input[type=number]").fill("-3")
        page.locator("main button[type=submit]").click()
        expect(page.locator(".error-box")).to_be_visible()
        assert not axe_problems(page), axe_problems(page)
        ai_survey.status = Survey.Status.CLOSED
        ai_survey.save()
        page.locator("textarea").last.fill("Typed while it closed")
        page.locator("main button[type=submit]").click()
        expect(page.locator("textarea[readonly]").last).to_have_value("Typed while it closed")
        assert not axe_problems(page), axe_problems(page)
    finally:
        context.close()

"""Bargaining kit: a coworker reports a monitoring tool from a phone, JavaScript off,
and nothing leaves the server."""

from __future__ import annotations

import pytest

from concerted.bargaining.models import Kit, SurveillanceReport

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kit(campaign):
    return Kit.objects.create(campaign=campaign, reports_open=True)


def test_it_files_a_surveillance_report_on_a_phone_without_javascript(phone_page, kit):
    page = phone_page
    page.goto(f"{page.live_url}/b/{kit.slug}/")
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="Report a monitoring tool").click()
    assert page.get_by_role("heading", name="Report a monitoring tool").is_visible()
    assert_fits_phone(page)
    # "Another tool" without its name: a clear message, and the boxes stay ticked.
    page.get_by_label("Another tool", exact=True).check()
    page.get_by_label("Keystrokes").check()
    page.get_by_label("Screenshots or screen video").check()
    page.get_by_label("AI-tool usage or token counts").check()
    page.get_by_label("Anything else (optional)").fill("It starts before we log in.")
    page.get_by_role("button", name="Send the report").click()
    assert page.get_by_text("Give the tool's name").is_visible()
    assert page.get_by_label("Keystrokes").is_checked()
    assert page.get_by_label("Anything else (optional)").input_value() == "It starts before we log in."
    assert_fits_phone(page)
    page.get_by_label("Its name, if another tool").fill("DeskWatch")
    page.get_by_label("Work computer").check()
    page.get_by_role("group", name="Did the company tell you about it?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Is its data used to train AI?").get_by_label("I think so").check()
    page.get_by_role("button", name="Send the report").click()
    assert page.get_by_role("heading", name="Your report was sent.").is_visible()
    assert_fits_phone(page)
    report = SurveillanceReport.objects.get(kit=kit)
    assert report.tool == SurveillanceReport.Tool.OTHER
    assert report.cap_keystrokes and report.cap_screenshots and report.cap_ai_usage and not report.cap_mouse
    assert report.dev_work_computer and report.disclosed == 3 and report.trains_ai == 2
    assert_stayed_local(page)
    assert not [c for c in page.context.cookies() if c["name"] != "csrftoken"], "only the CSRF cookie is allowed"


def test_it_ranks_the_demands_on_a_phone_with_an_invite_code(phone_page, kit):
    from concerted.bargaining.models import Ballot, Demand
    from concerted.invites import codes

    kit.voting_open = True
    kit.save()
    human = Demand.objects.create(kit=kit, title="A human decides", text="A human decides.", status="ballot")
    Demand.objects.create(kit=kit, title="No keyloggers", text="Remove them.", status="ballot")
    _batch, made = codes.create_batch(kit.campaign, "ballot", kit.pk, 1)
    page = phone_page
    page.goto(f"{page.live_url}/b/{kit.slug}/vote/?code={made[0]}")
    assert_fits_phone(page)
    page.get_by_label("A human decides").select_option("1")
    page.get_by_label("No keyloggers").select_option("2")
    page.get_by_role("button", name="Cast my ballot").click()
    assert page.get_by_role("heading", name="Your ballot was counted.").is_visible()
    ballot = Ballot.objects.get(kit=kit)
    assert ballot.ranks[str(human.pk)] == 1
    # The same code again: refused with a clear message.
    page.goto(f"{page.live_url}/b/{kit.slug}/vote/?code={made[0]}")
    page.get_by_label("No keyloggers").select_option("1")
    page.get_by_role("button", name="Cast my ballot").click()
    assert page.get_by_text("doesn't work here").is_visible()
    assert Ballot.objects.count() == 1
    assert_stayed_local(page)

"""Keyboard only: a coworker signs a petition, pledges and answers a survey with Tab,
Space, the arrow keys and Enter, never a pointer, on a phone with JavaScript off. The
focused control always shows a visible outline (WCAG 2.4.7), and the skip link is the
first stop (2.4.1)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from concerted.core.days import today
from concerted.petitions.models import Signature
from concerted.pledges.models import Commitment, Pledge
from concerted.surveys.models import Option, Question, Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  // The ring (drawn outside the control, outline-offset) against the page: 3:1 (WCAG 1.4.11).
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/[0-9.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(style.outlineColor), lum(getComputedStyle(document.body).backgroundColor)].sort();
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "", type: el.type || "",
          text: (el.innerText || el.value || "").trim(), label: el.labels && el.labels[0] ? el.labels[0].innerText.trim() : "",
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          contrast: (b + 0.05) / (a + 0.05)};
}"""


def tab_to(page, want, limit: int = 60) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Press Tab until the focused element matches; every stop on the way must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "body":
            assert focused["outline"], f"no visible focus on {focused}"
            assert focused["contrast"] >= 3, f"focus ring too faint on {focused}"
        if want(focused):
            return focused
    raise AssertionError(f"Tab never reached the control (last: {focused})")


def named(name: str):  # type: ignore[no-untyped-def]
    return lambda f: f["name"] == name


def button(text: str):  # type: ignore[no-untyped-def]
    return lambda f: f["tag"] == "button" and f["text"] == text


def test_it_signs_pledges_and_answers_with_the_keyboard_only(phone_page, petition, campaign):
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the tracker.",
        threshold_count=5,
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    survey = Survey.objects.create(
        campaign=campaign, title="Tracking", design=Survey.Design.PROBABILITY, one_per_invite=False
    )
    question = Question.objects.create(survey=survey, position=0, kind="single", text="Stop the tracker?")
    for i, label in enumerate(["Yes", "No"]):
        Option.objects.create(question=question, position=i, label=label)
    Question.objects.create(survey=survey, position=1, kind="text", text="Anything else?")
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    page = phone_page

    # The petition: the skip link first, then the form.
    page.goto(f"{page.live_url}/en/p/{petition.slug}/")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Skip to content"
    tab_to(page, named("name"))
    page.keyboard.type("Kim Keyboard")
    tab_to(page, named("consent_named"))
    page.keyboard.press("Space")
    tab_to(page, button("Sign the petition"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You signed. Thank you.")).to_be_visible()
    assert Signature.objects.filter(petition=petition).count() == 1

    # The pledge.
    page.goto(f"{page.live_url}/en/k/{pledge.slug}/")
    tab_to(page, named("name"))
    page.keyboard.type("Kim Keyboard")
    tab_to(page, button("Make my pledge"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You pledged. Thank you.")).to_be_visible()
    assert Commitment.objects.filter(pledge=pledge).count() == 1

    # The survey: a radio group takes the arrow keys, a text box takes typing.
    page.goto(f"{page.live_url}/en/s/{survey.slug}/")
    tab_to(page, lambda f: f["type"] == "radio")
    page.keyboard.press("Space")  # the first option: "Yes"
    assert page.get_by_label("Yes").is_checked()
    page.keyboard.press("ArrowDown")  # moves to "No" and selects it
    assert page.get_by_label("No").is_checked()
    page.keyboard.press("ArrowUp")
    assert page.get_by_label("Yes").is_checked()
    tab_to(page, lambda f: f["tag"] == "textarea" or (f["tag"] == "input" and f["type"] == "text"))
    page.keyboard.type("Switch it off")
    tab_to(page, button("Send my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you. Your answers were recorded.")).to_be_visible()
    assert Response.objects.filter(survey=survey).count() == 1

"""WCAG 2.2 AA 1.4.10 Reflow and 1.4.4 Resize text on the participant pages.

Each main participant page (petition, pledge, card, survey, ballot, a receipt) is loaded
with JavaScript off
- at 320 CSS pixels wide (what a 1280-px screen shows at 400% zoom), and
- with text at 200% (the root font size doubled, as a browser's text-size setting does)
  on a 640-px-wide screen, and at 320 px too,
in English and in German (the longest words of the four languages). Nothing may scroll
sideways (the document is no wider than the window), and the submit button must be
inside the window's width once scrolled to: nothing lost, nothing cut off."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

# The browser's own text-size setting (chromium's "font size" preference, set through
# the DevTools protocol): the default font size doubled from 16 to 32 px.
TEXT_200 = {"standard": 32, "fixed": 26}

CASES = {
    "320px": ({"width": 320, "height": 640}, False),
    "text-200%": ({"width": 640, "height": 800}, True),
    "320px-text-200%": ({"width": 320, "height": 640}, True),
}


@pytest.fixture
def pages(campaign, petition) -> dict[str, str]:
    from concerted.bargaining.models import Demand, Kit
    from concerted.cards.models import BargainingUnit
    from concerted.petitions.signing import sign
    from concerted.pledges.models import Pledge
    from concerted.surveys.models import Option, Question, Survey

    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker on every work laptop",
        promise="I will decline to install the tracker on my laptop.",
        threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=9),
        status="open",
    )
    unit = BargainingUnit.objects.create(
        campaign=campaign,
        name="Engineering and support",
        employer="Acme Datenverarbeitungsgesellschaft mbH",
        union="Vereinte Dienstleistungsgewerkschaft",
        size=20,
        card_text="I authorize {union} to represent me in collective bargaining with {employer}.",
        status="open",
    )
    survey = Survey.objects.create(campaign=campaign, title="Workload", status="published")
    question = Question.objects.create(survey=survey, position=0, kind="scale", text="The tracker stresses me.")
    for i, label in enumerate(["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]):
        Option.objects.create(question=question, position=i, label=label)
    Question.objects.create(survey=survey, position=1, kind="rank", text="Rank these")
    kit = Kit.objects.create(campaign=campaign, voting_open=True)
    Demand.objects.create(kit=kit, title="No AI firing", text="A human decides.", status="ballot")
    Demand.objects.create(kit=kit, title="Switch the tracker off", text="Off.", status="ballot")
    code = sign(petition, {"name": "Ada Walker", "contact": "", "comment": ""}).receipt_code
    return {
        "petition": reverse("petitions:sign", args=[petition.slug]),
        "receipt": reverse("petitions:receipt", args=[petition.slug, code]),
        "pledge": reverse("pledges:pledge", args=[pledge.slug]),
        "card": reverse("cards:sign", args=[unit.slug]),
        "survey": reverse("surveys:answer", args=[survey.slug]),
        "ballot": reverse("bargaining:vote", args=[kit.slug]),
    }


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_it_reflows_without_loss(browser, live_server, pages, case, language):
    viewport, big_text = CASES[case]
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if big_text:
        context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": TEXT_200})
    problems = []
    try:
        for name, path in pages.items():
            path = f"/{language}/" + path.split("/", 2)[2]
            page.goto(live_server.url + path)
            if big_text:
                size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
                assert size == "32px", size
            width = page.evaluate("() => document.documentElement.scrollWidth")
            inner = page.evaluate("() => window.innerWidth")
            if width > inner:
                wide = page.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                                     || (e.tagName != 'INPUT' && e.scrollWidth > e.clientWidth + 1))
                        .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + ': '
                                       + (e.textContent || '').slice(0, 40))"""
                )
                problems.append(f"{name} {path}: {width}px wide in a {inner}px window; too wide: {wide}")
            button = page.locator("main button[type=submit]").last
            if name != "receipt":
                button.scroll_into_view_if_needed()
                box = button.bounding_box()
                if not box or box["x"] < 0 or box["x"] + box["width"] > inner + 0.5 or not button.is_visible():
                    problems.append(f"{name} {path}: the submit button is cut off: {box}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)

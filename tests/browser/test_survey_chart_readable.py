"""The survey results' SVG charts on a phone and in forced colors (Windows high contrast).

The charts are inline <svg>, so their text can take currentColor: with fixed #222/#555
fills the labels vanished on a forced-colors black theme, and in a 640-wide viewBox the
12-unit labels were under 7 px on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.surveys import releases
from concerted.surveys.models import Option, Question, Survey
from concerted.surveys.tests.conftest import add_responses

from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STYLES = """() => {
  const body = getComputedStyle(document.body);
  const texts = [...document.querySelectorAll("svg.chart text")];
  const bar = document.querySelector("svg.chart rect");
  return {
    body: body.color, canvas: body.backgroundColor,
    fills: [...new Set(texts.map((t) => getComputedStyle(t).fill))],
    smallest: Math.min(...texts.map((t) => t.getBoundingClientRect().height)),
    bar: getComputedStyle(bar).fill,
  };
}"""


@pytest.fixture
def released(campaign):  # type: ignore[no-untyped-def]
    survey = Survey.objects.create(campaign=campaign, title="Tracking", one_per_invite=False)
    for position, (text, segment, labels) in enumerate(
        [
            ("Your team?", "team", ["Platform", "Support", "Data"]),
            ("Your shift?", "shift", ["Day", "Night"]),
            ("Stop the tracker?", "", ["Yes", "No"]),
        ]
    ):
        question = Question.objects.create(survey=survey, position=position, kind="single", text=text, segment=segment)
        for i, label in enumerate(labels):
            Option.objects.create(question=question, position=i, label=label)
    survey.status = Survey.Status.PUBLISHED
    survey.save()
    add_responses(survey, [(0, 0, 0)] * 20 + [(1, 1, 0)] * 10 + [(2, 0, 1)] * 10)
    releases.make(survey)
    return survey


def test_it_draws_chart_labels_readable_on_a_phone_and_in_forced_colors(phone_page, released, owner):
    page = phone_page
    login(page, owner)
    page.goto(page.live_url + reverse("surveys:results", args=[released.pk]))
    normal = page.evaluate(STYLES)
    # Every label about as big as the page's small print on a 390-px phone, not 6.7 px.
    assert normal["smallest"] >= 11, f"chart text is {normal['smallest']:.1f} px tall on a phone"
    assert normal["fills"] == [normal["body"]], "chart text is not in the page's text colour"

    page.emulate_media(forced_colors="active", color_scheme="dark")
    forced = page.evaluate(STYLES)
    assert forced["canvas"] != normal["canvas"], "forced colors did not apply"
    assert forced["fills"] == [forced["body"]], f"chart text {forced['fills']} on a {forced['canvas']} page"
    assert forced["bar"] not in (forced["canvas"], normal["bar"]), "the bars keep a fixed colour in forced colors"

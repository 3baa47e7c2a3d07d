"""The organizer ticks what goes into the bargaining brief, previews it and downloads
it; the PDF (read with pypdf) holds the ticked items and none of the others."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from concerted.bargaining.models import Demand, Kit
from concerted.core.days import today
from concerted.pledges.models import Pledge
from concerted.surveys import answering, releases
from concerted.surveys.models import Option, Question, Survey

from .conftest import assert_stayed_local
from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kit(campaign):
    kit = Kit.objects.create(campaign=campaign)
    for title, chosen in (("A human decides", True), ("No keyloggers", True), ("No leaderboards", False)):
        Demand.objects.create(kit=kit, title=title, text=f"We demand: {title}.", chosen=chosen)
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the tracker.",
        threshold_count=50,
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    survey = Survey.objects.create(campaign=campaign, title="Tracking", status="published", one_per_invite=False)
    for position, text in enumerate(["Should a human decide?", "Were you told about the tracker?"]):
        q = Question.objects.create(survey=survey, position=position, kind="single", text=text)
        for i, label in enumerate(["Yes", "No"]):
            Option.objects.create(question=q, position=i, label=label)
    qs = survey.ordered_questions()
    for i in range(12):
        answering.submit(survey, {qs[0].pk: 0, qs[1].pk: i % 2}, {})
    releases.make(survey)
    return kit


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_the_organizer_previews_and_downloads_only_the_ticked_items(desktop_page, kit, owner):
    page = desktop_page
    login(page, owner)
    page.goto(f"{page.live_url}/o/bargaining/{kit.pk}/")
    page.get_by_role("link", name="Bargaining brief: choose, preview, download").click()
    # The unreached pledge is offered but not ticked.
    pledge_box = page.get_by_role("checkbox", name=re.compile("Refuse the keystroke tracker"))
    assert not pledge_box.is_checked()
    page.get_by_role("checkbox", name="No keyloggers").uncheck()
    page.get_by_role("checkbox", name=re.compile("Were you told about the tracker")).uncheck()
    page.get_by_role("checkbox", name="AI-usage quotas and leaderboards").uncheck()
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    assert "A human decides" in preview.inner_text()
    assert "No keyloggers" not in preview.inner_text()
    assert "Should a human decide?" in preview.inner_text()
    assert "Were you told" not in preview.inner_text()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download this brief (PDF)").click()
    data = Path(info.value.path()).read_bytes()
    text = pdf_text(data)
    assert "A human decides" in text and "Should a human decide?" in text and "Surveillance inventory" in text
    for unticked in ("No keyloggers", "No leaderboards", "Were you told", "Refuse the keystroke tracker", "quotas"):
        assert unticked not in text, unticked
    assert "People (unweighted count)".split()[0] in text
    assert_stayed_local(page)

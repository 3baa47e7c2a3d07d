"""The bargaining brief renders, and its text holds the demands, the counts and the
survey figures — and no participant's name."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from statsmodels.stats.proportion import proportion_confint

from concerted.bargaining import brief, clauses, filing
from concerted.bargaining.models import Demand
from concerted.petitions import signing
from concerted.surveys import answering, releases
from concerted.surveys.models import Option, Question, Survey

pytestmark = pytest.mark.django_db

SIGNER = "Marisol Quenneville-Oduya"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def survey(campaign):
    survey = Survey.objects.create(
        campaign=campaign,
        title="AI at work",
        design=Survey.Design.PROBABILITY,
        status=Survey.Status.PUBLISHED,
        one_per_invite=False,
    )
    question = Question.objects.create(survey=survey, position=0, kind="single", text="Should a human decide?")
    for i, label in enumerate(["Yes", "No"]):
        Option.objects.create(question=question, position=i, label=label)
    for answer in [0] * 30 + [1] * 10:
        answering.submit(survey, {question.pk: answer}, {})
    releases.make(survey)  # the brief shows released results only
    return survey


@pytest.fixture
def full_kit(kit, demands, ballot_codes, petition):
    a, b, _c = demands
    a.title, a.text = clauses.HUMAN_DECISION_DEMAND["title"], clauses.HUMAN_DECISION_DEMAND["text"]
    a.clause_keys = ["gdpr-art-22", "ca-sb-7"]
    a.chosen = True
    a.save()
    b.chosen = True
    b.save()
    for code, ranks in zip(ballot_codes, [{a: 1, b: 2}] * 4 + [{b: 1, a: 2}] * 2, strict=False):
        filing.cast_ballot(kit, code, ranks)
    for i in range(7):
        signing.sign(petition, {"name": f"{SIGNER} {i}", "contact": "", "comment": "", "consent_named": True})
    for _i in range(6):
        filing.file_surveillance(
            kit,
            {"tool": 1, "cap_keystrokes": True, "disclosed": 3},
            {"type": "surveillance", "tool_other": "", "details": SIGNER},
        )
    return kit


def test_the_brief_holds_demands_counts_and_survey_figures(full_kit, survey):
    from concerted.core import releases

    releases.release_campaign(full_kit.campaign)  # the brief shows released counts only
    text = pdf_text(brief.build(full_kit))
    # Demands, in ballot order, with the clause that backs them and its source.
    assert "1. A human makes the final decision" in text
    assert "2. No keyloggers" in text
    assert "No leaderboards" not in text  # not chosen
    assert "GDPR, Article 22" in text and "gdpr-info.eu/art-22-gdpr" in text
    assert "Ranked 1 of 3 by members; supported on 6 of 6 ballots." in text
    assert "Schulze" in text
    # Counts: the petition's 7 signatures and the bargaining unit.
    assert re.search(r"Petition End keystroke tracking 7\b", text)
    assert "Bargaining unit: 100 coworkers." in text
    # Survey figures with their Wilson interval.
    low, high = proportion_confint(30, 40, alpha=0.05, method="wilson")
    assert "Should a human decide?" in text
    assert f"75% {low * 100:.0f}% – {high * 100:.0f}%" in text
    # Surveillance inventory: 6 reports, keystrokes 6. All 6 named Teramind, but the
    # other tools are empty, and an empty answer is hidden like a small one, so the
    # tool question has nothing shown (Teramind is hidden to cover the empty ones).
    assert "6 anonymous reports from coworkers." in text
    assert "Keystrokes 6" in text
    assert "Teramind 6" not in text
    # No participant's name or free text.
    assert "Quenneville" not in text and "Marisol" not in text


def test_small_counts_are_not_printed(kit, petition):
    for i in range(3):
        signing.sign(petition, {"name": f"{SIGNER} {i}", "contact": "", "comment": "", "consent_named": True})
    text = pdf_text(brief.build(kit))
    assert "End keystroke tracking fewer than 5" in text
    assert "Our demands" not in text  # none chosen: no section
    assert "Fewer than 5 reports so far: not shown." in text


def test_the_brief_survives_a_broken_survey_helper(kit, monkeypatch, caplog):
    def broken(campaign):
        raise RuntimeError("boom")

    monkeypatch.setattr(brief, "survey_rows", broken)
    text = pdf_text(brief.build(kit))
    assert "No survey results to show." in text


def test_the_organizer_downloads_the_brief(as_user, full_kit):
    items = "&".join(f"item={key}" for key in sorted(brief.default_selection(full_kit)))
    response = as_user("teammate").get(reverse("bargaining:brief", args=[full_kit.pk]) + "?picked=1&" + items)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "A human makes the final decision" in pdf_text(response.content)


def test_an_unconfirmed_clause_is_marked_in_the_sources(kit):
    Demand.objects.create(kit=kit, title="Notice", text="Notice first.", clause_keys=["co-sb-26-189"], chosen=True)
    text = pdf_text(brief.build(kit))
    assert "not fully confirmed" in text


def test_the_brief_holds_only_the_ticked_items(full_kit, survey):
    every = {c.key for c in brief.choices(full_kit)}
    keep = {key for key in every if key.startswith("demand:")}
    text = pdf_text(brief.build(full_kit, selected=keep))
    assert "A human makes the final decision" in text
    assert "Petition" not in text and "Should a human decide?" not in text and "Surveillance inventory" not in text


def test_an_unreached_pledge_is_never_ticked_by_default(kit):
    import datetime

    from concerted.core.days import today
    from concerted.pledges.models import Pledge

    pledge = Pledge.objects.create(
        campaign=kit.campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the new tracker.",
        threshold_count=50,
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    choice = next(c for c in brief.choices(kit) if "Refuse the keystroke tracker" in c.label)
    assert choice.default is False and choice.note
    assert "Refuse the keystroke tracker" not in pdf_text(brief.build(kit))
    assert "Refuse the keystroke tracker" in pdf_text(brief.build(kit, selected={choice.key}))


def test_counts_and_weighted_shares_sit_in_separate_labelled_columns(kit, monkeypatch):
    row = {
        "survey": "AI at work",
        "question": "Which team?",
        "option": "Data",
        "count": 124,
        "percent": 31.0,
        "weighted_percent": 21.0,
        "ci_low": None,
        "ci_high": None,
        "n": 400,
        "note": "",
        "hidden": "",
        "hidden_reason": "",
        "release": 1,
        "no_code": None,
    }
    monkeypatch.setattr(brief, "survey_rows", lambda campaign: [row])
    table = next(b for b in brief.blocks(kit) if b.kind == "table" and "Answer" in b.rows[0])
    assert table.rows[0][2:5] == [
        "People (unweighted count)",
        "% of those who answered (unweighted)",
        "Weighted % (to the unit's make-up)",
    ]
    assert table.rows[1][2:5] == ["124", "31%", "21%"]  # Data 124 never reads as 21%


def test_a_demands_few_proposers_and_few_supporters_are_not_printed(kit, demands, ballot_codes):
    """The brief reaches management: "proposed by 1 coworker" or "supported on 2 of 6
    ballots" would point at the few people it counts."""
    from concerted.core import releases

    a, b, _c = demands
    Demand.objects.filter(pk__in=[a.pk, b.pk]).update(chosen=True, from_proposals=1)
    for code, ranks in zip(ballot_codes, [{a: 1}] * 4 + [{b: 1}] * 2, strict=False):
        filing.cast_ballot(kit, code, ranks)
    releases.release_campaign(kit.campaign)
    text = pdf_text(brief.build(kit))
    assert "Proposed by fewer than 5 coworkers." in text and "Proposed by 1 coworker" not in text
    assert re.findall(r"supported on (\S+(?: than 5)?) of 6 ballots", text) == ["fewer than 5", "fewer than 5"]
    Demand.objects.filter(pk=a.pk).update(from_proposals=12)
    assert "Proposed by 12 coworkers." in pdf_text(brief.build(kit))

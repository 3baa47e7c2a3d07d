"""The results page: honest margins per design, SVG charts, national comparison, CSV."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.urls import reverse
from statsmodels.stats.proportion import proportion_confint

from concerted.surveys import answering, releases, results
from concerted.surveys.models import Survey
from concerted.surveys.summary import brief_rows

from .conftest import add_responses

pytestmark = pytest.mark.django_db


def fill(survey, n=40):
    # Yes 30 / No 10, teams 20/10/10; then a release, which every page reads
    add_responses(survey, [(0, 0, 0)] * 20 + [(1, 1, 0)] * 10 + [(2, 0, 1)] * 10)
    releases.make(survey)


def answer_result(res):
    return next(qr for qr in res.questions if qr.question.text == "Stop the tracker?")


def test_a_probability_sample_shows_wilson_intervals(published):
    fill(published)
    res = results.compute(published)
    yes = answer_result(res).rows[0]
    low, high = proportion_confint(30, 40, alpha=0.05, method="wilson")
    assert yes.count == 30 and yes.percent == pytest.approx(75.0)
    assert yes.ci_low == pytest.approx(low * 100) and yes.ci_high == pytest.approx(high * 100)
    assert res.response_rate == pytest.approx(0.4)  # 40 of a unit of 100


@pytest.mark.parametrize("design", [Survey.Design.CENSUS, Survey.Design.OPT_IN])
def test_census_and_opt_in_show_no_margin(published, design, as_user):
    published.design = design
    published.save()
    fill(published)
    res = results.compute(published)
    assert all(r.ci_low is None for qr in res.questions for r in qr.rows)
    html = as_user("owner").get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "no margin of error" in html
    assert "95% interval" not in html
    assert "AAPOR" in html if design == Survey.Design.OPT_IN else "Census of the unit" in html


def test_weighted_results_use_the_logit_interval_with_effective_n(published):
    team = published.ordered_questions()[0]
    published.makeup = {"marginals": {str(team.pk): {"0": 34, "1": 33, "2": 33}}}
    published.save()
    fill(published)
    res = results.compute(published)
    assert res.weighted and res.weighting.method == "raking"
    w = results.weights_for(results.load(published)).weights
    # Platform (20) weighted down to a third; Yes = Platform + Support.
    yes = answer_result(res).rows[0]
    team_codes = np.array([0] * 20 + [1] * 10 + [2] * 10)  # rows are in random order in the DB...
    assert sorted(np.round(w, 6)) == sorted(np.round(np.where(team_codes == 0, 0.68, 1.32), 6))
    assert yes.percent == pytest.approx(75.0)  # unweighted: 30 of 40
    assert yes.weighted_percent == pytest.approx(67.0, abs=0.01)  # in its own column
    n_eff = 40 / (40 * np.sum(w**2) / np.sum(w) ** 2)
    assert answer_result(res).n_eff == pytest.approx(n_eff)
    from concerted.surveys.stats import logit_interval

    low, high = logit_interval(0.67, n_eff)
    assert yes.ci_low == pytest.approx(float(low) * 100, abs=1e-6)
    assert yes.ci_high == pytest.approx(float(high) * 100, abs=1e-6)


def test_the_page_draws_svg_bars_with_whiskers(published, as_user):
    fill(published)
    response = as_user("owner").get(reverse("surveys:results", args=[published.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 3  # team, shift, yes/no
    assert "<line" in html and "<rect" in html
    assert "<script" not in html.replace('<script src="/static/vendor/htmx/htmx.min.js"></script>', "")
    assert " style=" not in html.split("<svg", 1)[1]


def test_ai_at_work_shows_the_unit_beside_national_figures(ai_survey, as_user):
    qs = ai_survey.ordered_questions()
    for i in range(60):
        answering.submit(ai_survey, {qs[0].pk: 0 if i < 50 else (1 if i < 55 else 2), qs[1].pk: i % 2, qs[2].pk: 1}, {})
    ai_survey.design = Survey.Design.PROBABILITY
    ai_survey.save()
    releases.make(ai_survey)
    html = as_user("owner").get(reverse("surveys:results", args=[ai_survey.pk])).content.decode()
    assert "Our unit beside the national poll" in html
    assert "95% (94–96)" in html  # national 95%, Wilson on n = 1,588
    assert "38% (36–40)" in html
    low, high = proportion_confint(50, 60, method="wilson")
    assert f"83% ({low * 100:.0f}–{high * 100:.0f})" in html  # the unit, with its own interval
    # The source line names the poll and where its figures were published; 95% vs 90% stays flagged.
    assert "1,588 workers by the AFL-CIO with David Binder Research, 14–22 April 2026" in html
    assert "reported by the Guardian, 12 May 2026" in html
    assert "press coverage of the same poll reported 90%" in html


def test_csv_export_has_aggregates_only(published, as_user):
    fill(published)
    response = as_user("owner").get(reverse("surveys:results_csv", args=[published.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert any("without an invite code" in r["note"] for r in lines if not r["question"])
    rows = [r for r in lines if r["question"]]
    assert {r["question"] for r in rows} == {"Your team?", "Your shift?", "Stop the tracker?"}
    yes = next(r for r in rows if r["option"] == "Yes")
    assert yes["count"] == "30" and yes["percent_unweighted"] == "75.0" and yes["ci95_low"]
    assert yes["release"] == "1" and yes["view"] == "Everyone"
    assert len(rows) == 3 + 2 + 2  # one line per option, never per response


def test_brief_rows_for_the_bargaining_kit(published, campaign):
    fill(published)
    Survey.objects.create(campaign=campaign, title="Draft, not shown")
    rows = brief_rows(campaign)
    assert {r["survey"] for r in rows} == {"Tracking"}
    yes = next(r for r in rows if r["option"] == "Yes")
    assert set(yes) >= {"survey", "question", "option", "count", "percent", "ci_low", "ci_high", "n", "note"}
    assert yes["count"] == 30 and yes["percent"] == 75.0 and yes["n"] == 40 and yes["ci_low"] < 75 < yes["ci_high"]

"""The unit make-up form refuses numbers that can't describe the unit, says when a
group of the make-up was left out, and the results say once, plainly, when a hidden
group keeps every weighted figure back (docs/SURVEYS.md, "Weighting to the unit's
make-up")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from concerted.surveys import releases, results
from concerted.surveys.summary import brief_rows

from .conftest import add_responses

pytestmark = pytest.mark.django_db


def makeup_url(survey):
    return reverse("surveys:makeup", args=[survey.pk])


def counts(survey, team=None, shift=None):
    team_q, shift_q = survey.ordered_questions()[:2]
    data = {}
    for q, values in ((team_q, team), (shift_q, shift)):
        for i, value in enumerate(values or []):
            data[f"m_{q.pk}_{i}"] = value
    return data


def refused(client, survey, data):
    response = client.post(makeup_url(survey), data)
    assert response.status_code == 400
    survey.refresh_from_db()
    assert survey.makeup == {}, "nothing is saved"
    html = response.content.decode()
    box = re.search(r'<div class="error-box"[^>]*>(.*?)</div>', html, re.S)
    assert box, "the problems are listed at the top"
    for name, value in data.items():  # what was typed comes back
        assert re.search(rf'name="{re.escape(name)}" value="{re.escape(value)}"', html)
    return box.group(1), html


def test_totals_of_different_questions_must_agree(published, as_user):
    box, _html = refused(as_user("owner"), published, counts(published, ["30", "40", "50"], ["50", "50"]))
    assert "The totals differ" in box and "Your team?: 120" in box and "Your shift?: 100" in box
    assert "same people" in box


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99999999999999999999", "more people than a unit can have here (at most 1,000,000)"),
        ("1000001", "more people than a unit can have here"),
        ("-3", "whole numbers (0 or more)"),
        ("²", "whole numbers (0 or more)"),
        ("12.5", "whole numbers (0 or more)"),
    ],
)
def test_a_count_that_is_not_a_count_of_people_is_refused_and_named(published, as_user, value, message):
    team = published.ordered_questions()[0]
    box, html = refused(as_user("owner"), published, counts(published, [value, "40", "40"]))
    assert message in box and "Your team? = Platform" in box
    assert f'href="#m_{team.pk}_0"' in box
    assert re.search(
        rf'id="m_{team.pk}_0" name="m_{team.pk}_0" value="[^"]*" inputmode="numeric" aria-invalid="true"', html
    )


def test_all_zeros_and_half_filled_questions_are_refused(published, as_user):
    box, _html = refused(as_user("owner"), published, counts(published, ["0", "0", "0"]))
    assert "every count is 0" in box
    box, _html = refused(as_user("owner"), published, counts(published, ["20", "", "40"]))
    assert "give a count for every group, 0 where nobody is in it" in box


def test_the_cross_table_must_agree_with_the_counts(published, as_user):
    data = counts(published, ["20", "40", "40"])
    cells = {f"c_{a},{b}": "10" for a in range(3) for b in range(2)}  # 60 people, 20 per team
    box, _html = refused(as_user("owner"), published, {**data, **cells})
    assert "the cross-table: 60" in box
    assert "Your team? = Support: the cross-table adds up to 20 people, its count says 40" in box
    cells = {f"c_{a},{b}": "0" for a in range(3) for b in range(2)}
    box, _html = refused(as_user("owner"), published, cells)
    assert "Every cell of the cross-table is 0" in box


def test_a_total_other_than_the_unit_size_is_saved_with_a_warning(published, as_user):
    client = as_user("owner")
    response = client.post(makeup_url(published), counts(published, ["50", "50", "50"], ["75", "75"]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Unit make-up saved" in html
    assert "adds up to 150 people, but the campaign&#x27;s unit size is 100" in html
    published.refresh_from_db()
    assert published.makeup["marginals"]
    # ...and the make-up page keeps saying so.
    assert "adds up to 150 people" in client.get(makeup_url(published)).content.decode()
    ok = client.post(makeup_url(published), counts(published, ["20", "40", "40"], ["50", "50"]), follow=True)
    assert "unit size is" not in ok.content.decode()


def test_a_group_with_no_respondents_is_named_as_left_out_of_the_weighting(published, as_user):
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20)  # nobody from Data
    client = as_user("owner")
    assert client.post(makeup_url(published), counts(published, ["30", "30", "40"])).status_code == 302
    releases.make(published)
    html = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "Nobody answered from Your team? = Data" in html and "left out of the weighting" in html
    csv_text = client.get(reverse("surveys:results_csv", args=[published.pk])).content.decode()
    assert "Nobody answered from Your team? = Data" in csv_text


def test_one_hidden_group_withholds_weighting_once_and_says_why(published, as_user):
    """The weighted share mixes each team's share with weights known from the make-up:
    with Platform's and Support's figures shown, it would give Data's away. So none is
    shown, and the page says so once, not under every question as if that question's
    own counts were hidden."""
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 3)
    client = as_user("owner")
    assert client.post(makeup_url(published), counts(published, ["40", "40", "20"])).status_code == 302
    releases.make(published)
    res = results.compute(published)
    assert res.weighting_withheld and not res.weighted
    assert all(r.weighted_percent is None for qr in res.questions for r in qr.rows)
    html = client.get(reverse("surveys:results", args=[published.pk])).content.decode().replace("&#x27;", "'")
    assert html.count("this release shows no weighted figures") == 1
    assert "wait for more responses" in html
    assert "Weighted to the unit's make-up by" not in html and "design effect" not in html
    assert "No weighted percentages for this question" not in html
    assert "Weighted %" not in html
    assert all(row["weighted_percent"] is None for row in brief_rows(published.campaign))
    csv_text = client.get(reverse("surveys:results_csv", args=[published.pk])).content.decode()
    assert "this release shows no weighted figures" in csv_text and ",raking," not in csv_text


def test_with_every_group_shown_the_weighted_shares_are_back(published, as_user):
    add_responses(published, [(0, 0, 0)] * 20 + [(1, 1, 1)] * 20 + [(2, 0, 0)] * 10)
    client = as_user("owner")
    assert client.post(makeup_url(published), counts(published, ["40", "40", "20"])).status_code == 302
    releases.make(published)
    res = results.compute(published)
    assert res.weighted and not res.weighting_withheld
    html = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "Weighted to the unit" in html and "no weighted figures" not in html

"""Released results: nothing shown changes between releases, and a release must add at
least 5 responses to every view that changes, so before/after comparisons never
isolate fewer than 5 new respondents."""

from __future__ import annotations

import difflib
import re

import pytest
from django.urls import reverse

from concerted.surveys import releases, results
from concerted.surveys.summary import brief_rows

from .conftest import add_responses

pytestmark = pytest.mark.django_db

BASE = [(0, 0, 0)] * 10 + [(0, 1, 1)] * 10 + [(1, 0, 0)] * 10 + [(1, 1, 1)] * 10 + [(2, 0, 0)] * 5 + [(2, 1, 1)] * 5


def everything(client, survey):
    """Every page, CSV and brief figure an organizer can reach."""
    team, shift = survey.ordered_questions()[:2]
    views = ["all"] + [f"{team.pk}={v}" for v in range(3)] + [f"{shift.pk}={v}" for v in range(2)]
    out = []
    for view in views:
        page = client.get(reverse("surveys:results", args=[survey.pk]), {"view": view}).content
        # CSRF tokens are masked anew on every page
        page = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", page)
        out.append(re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page))
        out.append(client.get(reverse("surveys:results_csv", args=[survey.pk]), {"view": view}).content)
    out.append(repr(brief_rows(survey.campaign)).encode())
    return out


def same(a: list[bytes], b: list[bytes]) -> bool:
    for x, y in zip(a, b, strict=True):
        if x != y:
            diff = difflib.unified_diff(x.decode().splitlines(), y.decode().splitlines(), lineterm="", n=1)
            raise AssertionError("\n".join(list(diff)[:40]))
    return True


def test_one_new_response_changes_nothing_until_a_release_of_five_per_changed_view(published, as_user):
    add_responses(published, BASE)
    releases.make(published)
    client = as_user("owner")
    before = everything(client, published)
    add_responses(published, [(0, 0, 1)])  # one Platform day worker says No
    assert same(everything(client, published), before)
    with pytest.raises(releases.NotReady):
        releases.make(published)
    add_responses(published, [(0, 0, 1)] * 3)
    with pytest.raises(releases.NotReady):
        releases.make(published)  # 4 new in Platform, in Day and in everyone
    assert same(everything(client, published), before)
    add_responses(published, [(0, 0, 0)])
    second = releases.make(published)  # 5 new in each view that changes
    assert second.number == 2
    after = everything(client, published)
    assert after != before
    assert b"Release 2" in after[0]


def test_a_group_that_gains_fewer_than_five_holds_the_release_back(published, as_user):
    add_responses(published, BASE)
    releases.make(published)
    add_responses(published, [(0, 0, 0)] * 4 + [(1, 0, 0)])  # everyone +5, Day +5, Platform +4, Support +1
    ready, why = releases.readiness(published)
    assert not ready and "at least 5" in why
    assert "Platform" not in why and "Support" not in why  # no live per-group counter
    with pytest.raises(releases.NotReady):
        releases.make(published)
    response = as_user("owner").post(reverse("surveys:release", args=[published.pk]))
    assert response.status_code == 302
    assert published.releases.count() == 1
    add_responses(published, [(0, 0, 0)] + [(1, 0, 0)] * 4)
    assert releases.readiness(published)[0]
    as_user("owner").post(reverse("surveys:release", args=[published.pk]))
    assert published.releases.count() == 2


def test_the_page_says_which_release_and_when_the_next_may_come(published, as_user):
    add_responses(published, BASE)
    client = as_user("owner")
    html = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "No results have been released yet" in html
    client.post(reverse("surveys:release", args=[published.pk]))
    html = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "Release 1, made on" in html and "at least 5 new responses in every view that changes" in html
    page = client.get(reverse("surveys:release", args=[published.pk])).content.decode()
    assert "No new responses since the last release" in page


def test_the_release_page_says_what_planted_responses_can_do(published, as_user):
    """The rule counts responses, not people: the page must not promise that two releases
    can't be compared, and a survey without codes gets the advice against planting."""
    client = as_user("teammate")
    page = client.get(reverse("surveys:release", args=[published.pk])).content.decode()
    assert "nobody can compare two releases" not in page
    assert "counts responses, not people" in page
    assert "This survey takes responses without invite codes." in page
    assert "show this page only to people on the committee" in page
    assert "hand the cards out in person, one per person" in page
    add_responses(published, BASE)
    releases.make(published)
    results_page = client.get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "no small number can be worked out from the figures alone" in results_page
    assert "sent some of the responses themselves" in results_page
    published.one_per_invite = True
    published.save()
    page = client.get(reverse("surveys:release", args=[published.pk])).content.decode()
    assert "counts responses, not people" in page
    assert "This survey takes responses without invite codes." not in page


def test_results_without_invite_codes_carry_a_warning(published, as_user):
    add_responses(published, BASE)
    releases.make(published)
    html = as_user("owner").get(reverse("surveys:results", args=[published.pk])).content.decode()
    assert "all 50 responses came without an invite code" in html
    assert all(r["no_code"] == 50 for r in brief_rows(published.campaign))
    assert results.compute(published).no_code == 50

"""Invariant 11 on the organizer pages: the dashboard's inventories and ballot standings,
and the results page with its head-to-head counts, show figures as released. One more
report or ballot moves nothing on them but the exact-count lines; a release of at least
5 new actions shows the new figures."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from concerted.bargaining import filing, stats
from concerted.core import releases
from concerted.core.models import Release

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
# Exact counts may move with each arrival (turnout, actions since the release, whether
# "Release now" is offered); each sits in one element marked live-count. The invite
# batches' used codes are turnout too, marked not for sharing by concerted/invites.
LIVE_COUNT = re.compile(r'<(p|td) class="live-count">.*?</\1>|<table class="batches">.*?</table>', re.S)


@pytest.fixture
def codes(kit):
    from concerted.invites import codes

    _batch, made = codes.create_batch(kit.campaign, "ballot", kit.pk, 20, "test")
    return iter(made)


def surveillance(kit, n: int, tool: int = 1) -> None:
    for i in range(n):
        filing.file_surveillance(
            kit,
            {"tool": tool, "disclosed": 3, "feeds_evaluations": 0, "trains_ai": 0, "cap_keystrokes": i % 2 == 0},
            {"type": "surveillance", "tool_other": "", "details": ""},
        )


def pressure(kit, n: int) -> None:
    for _ in range(n):
        filing.file_pressure(
            kit, {"pressure": 3, "cnt_tokens": True, "use_leaderboard": True}, {"type": "pressure", "details": ""}
        )


def vote(kit, codes, n: int, ranks) -> None:
    for _ in range(n):
        filing.cast_ballot(kit, next(codes), ranks)


def release_all(kit) -> None:
    for kind in stats.RELEASES:
        assert releases.force(kit, name=kind.name), kind.name


def breakdown(html: str) -> str:
    return LIVE_COUNT.sub("", CSRF.sub("CSRF", html))


def page(client, name: str, kit) -> str:
    response = client.get(reverse(name, args=[kit.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def released_kit(kit, demands, codes, clock):
    """12 surveillance and 6 pressure reports and 6 ballots, released at 09:30."""
    a, b, c = demands
    surveillance(kit, 12)
    pressure(kit, 6)
    vote(kit, codes, 4, {a: 1, b: 2})
    vote(kit, codes, 2, {b: 1, c: 2})
    release_all(kit)
    return kit


@pytest.mark.parametrize("name", ["bargaining:dashboard", "bargaining:results"])
def test_it_moves_nothing_but_the_exact_counts_after_one_more_report_or_ballot(
    as_user, released_kit, demands, codes, name
):
    a, b, c = demands
    client = as_user("owner")
    before = page(client, name, released_kit)
    surveillance(released_kit, 1, tool=2)
    pressure(released_kit, 1)
    vote(released_kit, codes, 1, {c: 1, b: 2, a: 3})
    after = page(client, name, released_kit)
    assert breakdown(after) == breakdown(before)
    # The count of ballots is exact (turnout says nothing about what a ballot said).
    assert "7 ballots cast" in after and "6 ballots cast" in before


def test_the_dashboard_shows_the_released_inventories_and_standings(as_user, released_kit, demands, codes, clock):
    _a, _b, c = demands
    client = as_user("teammate")
    html = page(client, "bargaining:dashboard", released_kit)
    assert "12 reports." in html and "6 reports." in html
    assert html.count("As released on 2 March, 09:30 UTC.") == 3
    assert "Human decides — place 1, supported on 4 ballots" in html

    # Five more of each: at the 12:00 release the new figures show.
    surveillance(released_kit, 5, tool=2)
    pressure(released_kit, 5)
    vote(released_kit, codes, 5, {c: 1})
    clock["now"] = datetime.datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC)
    call_command("tick", verbosity=0)
    html = page(client, "bargaining:dashboard", released_kit)
    assert "17 reports." in html and "11 reports." in html
    assert html.count("As released on 2 March, 12:00 UTC.") == 3
    # 4 a>b, 2 b>c>a, 5 c alone: a cycle (a>b 4-2, b>c 6-5, c>a 7-4) broken at its weakest link.
    assert "No keyloggers — place 1, supported on 6 ballots" in html
    assert "No leaderboards — place 2, supported on 7 ballots" in html
    assert "11 ballots cast" in html


def test_the_results_page_shows_the_released_standings_and_head_to_head(as_user, released_kit, demands, codes, clock):
    a, b, c = demands
    client = as_user("owner")
    html = page(client, "bargaining:results", released_kit)
    assert "As released on 2 March, 09:30 UTC." in html
    assert "Counted from 6 ballots" in html
    # 4 ballots a>b (c unranked), 2 ballots b>c (a unranked): as counted from the rows.
    live = filing.results(released_kit)
    for x in (a, b, c):
        for y in (a, b, c):
            if x != y:
                assert f'data-pair="{x.pk} {y.pk}">{live.pairwise[x][y]}<' in html

    vote(released_kit, codes, 5, {c: 1})
    assert releases.force(released_kit, name=stats.BALLOT_RELEASE.name)
    html = page(client, "bargaining:results", released_kit)
    assert "Counted from 11 ballots" in html
    assert f'data-pair="{c.pk} {a.pk}">7<' in html  # 2 b>c>a ballots and 5 that rank c alone


def test_before_any_release_it_says_so_with_the_next_time_and_whats_pending(as_user, kit, demands, codes, clock):
    a, _b, _c = demands
    surveillance(kit, 6)
    vote(kit, codes, 3, {a: 1})
    client = as_user("owner")
    html = page(client, "bargaining:dashboard", kit)
    assert html.count("Nothing released yet.") == 3
    assert "Next scheduled release: 2 March, 12:00 UTC" in html
    assert "6 reports not yet released" in html and "3 ballots not yet released" in html
    assert "supported on" not in html
    html = page(client, "bargaining:results", kit)
    assert "Nothing released yet." in html and "3 ballots cast" in html
    assert a.title not in html


def test_a_release_from_before_head_to_head_counts_keeps_the_page_working(as_user, released_kit, demands):
    row = Release.objects.get(kind=stats.BALLOT_RELEASE.name, subject_id=released_kit.pk)
    row.figures = {
        "ballots": row.figures["ballots"],
        "standings": [{k: s[k] for k in ("demand", "place", "approvals", "tied")} for s in row.figures["standings"]],
    }
    row.save()
    client = as_user("owner")
    html = page(client, "bargaining:results", released_kit)
    assert "The head-to-head table appears at the next release." in html
    assert "Counted from 6 ballots" in html and demands[1].title in html
    assert "place 1, supported on 4 ballots" in page(client, "bargaining:dashboard", released_kit)


def test_a_ballot_release_stores_head_to_head_counts_json_ready(released_kit, demands):
    import json

    a, b, _c = demands
    figures = stats.ballot_figures(released_kit)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["pairwise"][str(a.pk)][str(b.pk)] == 4
    assert figures["pairwise"][str(b.pk)][str(a.pk)] == 2
    assert {s["demand"]: s["wins"] for s in figures["standings"]}[str(a.pk)] == 2

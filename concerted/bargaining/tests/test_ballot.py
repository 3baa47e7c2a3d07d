"""Demands board: proposals are sealed, ballots need an invite code (one each), merged
duplicates carry their ballots, and the result follows the documented method."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.bargaining import filing
from concerted.bargaining.models import PROPOSAL_KIND, Ballot, Demand, Proposal
from concerted.core.sealing import open_sealed

pytestmark = pytest.mark.django_db


def titled(ranks: dict[str, int]) -> dict[str, int]:
    return {Demand.objects.get(pk=pk).title: rank for pk, rank in ranks.items()}


def vote(kit, code, ranks):
    data = {"code": code, **{f"rank_{d.pk}": str(r) for d, r in ranks.items()}}
    return Client().post(reverse("bargaining:vote", args=[kit.slug]), data)


def test_a_proposal_is_sealed(kit, private_key):
    response = Client().post(reverse("bargaining:propose", args=[kit.slug]), {"demand": "Ban token leaderboards."})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    data = open_sealed(private_key, proposal.sealed, kind=PROPOSAL_KIND, ids=proposal.envelope_ids())
    assert data["demand"] == "Ban token leaderboards."
    assert Client().post(reverse("bargaining:propose", args=[kit.slug]), {"demand": ""}).status_code == 400


def test_the_ballot_page_lists_the_demands_and_prefills_the_code(kit, demands, ballot_codes):
    response = Client().get(reverse("bargaining:vote", args=[kit.slug]) + f"?code={ballot_codes[0]}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    for d in demands:
        assert d.title in html
    assert ballot_codes[0] in html


def test_one_ballot_per_invite_code(kit, demands, ballot_codes):
    a, b, c = demands
    response = vote(kit, ballot_codes[0], {a: 1, b: 2})
    assert response.status_code == 302 and response["Location"].endswith("?sent=ballot")
    ballot = Ballot.objects.get()
    assert titled(ballot.ranks) == {"Human decides": 1, "No keyloggers": 2}
    again = vote(kit, ballot_codes[0], {c: 1})
    assert again.status_code == 400
    html = again.content.decode().replace("&#x27;", "'")
    assert "That invite code doesn't work here" in html
    assert "only on the ballot on its card" in html and "petition or pledge" not in html
    assert Ballot.objects.count() == 1 and len(Ballot.objects.get().ranks) == 2


def test_the_demands_are_marked_with_the_language_they_are_written_in(kit, demands):
    """On a German page the (English) demands say so, as a survey's title does; the
    page's own words (the code's label) don't."""
    html = Client().get("/de" + reverse("bargaining:vote", args=[kit.slug])[3:]).content.decode()
    assert '<html lang="de">' in html
    for d in demands:
        assert re.search(rf'<label for="id_rank_{d.pk}" lang="en">{d.title}</label>', html)
        assert f'id="id_rank_{d.pk}_helptext" lang="en">We demand: {d.title}.</p>' in html
    assert not re.search(r'<label for="id_code"[^>]*lang=', html)


def test_a_refused_ballot_moves_the_focus_to_the_problem(kit, demands):
    html = vote(kit, "", {demands[0]: 1}).content.decode()
    assert '<div class="error-box" role="alert" tabindex="-1" autofocus>' in html


@pytest.mark.parametrize(
    ("code", "message"),
    [("", "Enter the invite code"), ("abc", "typo"), ("zzzz-zzzz-zzz", "")],
)
def test_bad_codes_get_a_clear_message_and_keep_the_ranking(kit, demands, code, message):
    response = vote(kit, code, {demands[0]: 1})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="1" selected' in html
    assert not Ballot.objects.exists()


def test_an_empty_ballot_is_refused_and_uses_no_code(kit, demands, ballot_codes):
    response = vote(kit, ballot_codes[1], {})
    assert response.status_code == 400
    assert "Rank at least one demand" in response.content.decode()
    assert vote(kit, ballot_codes[1], {demands[0]: 1}).status_code == 302


def test_a_code_for_another_kit_does_not_work(kit, demands, campaign):
    from concerted.bargaining.models import Kit
    from concerted.campaigns.models import Campaign
    from concerted.invites import codes

    other_kit = Kit.objects.create(campaign=Campaign.objects.get(name="Elsewhere"))
    _batch, made = codes.create_batch(other_kit.campaign, "ballot", other_kit.pk, 1)
    assert vote(kit, made[0], {demands[0]: 1}).status_code == 400


def test_the_ballot_is_closed_without_demands_or_when_closed(kit, demands, ballot_codes):
    kit.voting_open = False
    kit.save()
    assert vote(kit, ballot_codes[0], {demands[0]: 1}).status_code == 404
    assert not Ballot.objects.exists()


def test_results_follow_hand_worked_ballots_with_a_tie(kit, demands, ballot_codes):
    a, b, c = demands
    # 2 ballots a>b, 2 ballots b>a, all rank c last: a and b tie head to head (2-2) and
    # on support (4 each); both beat c 4-0. So a and b share place 1, c is 3rd.
    for code, ranks in zip(
        ballot_codes, [{a: 1, b: 2, c: 3}, {a: 1, b: 2}, {b: 1, a: 2, c: 3}, {b: 1, a: 2}], strict=False
    ):
        assert vote(kit, code, ranks).status_code == 302
    result = filing.results(kit)
    assert [(s.candidate.title, s.place, s.tied, s.approvals) for s in result.standings] == [
        ("Human decides", 1, True, 4),
        ("No keyloggers", 1, True, 4),
        ("No leaderboards", 3, False, 2),
    ]
    assert result.ballots == 4


def test_merging_a_duplicate_moves_its_ballots_at_the_better_rank(kit, demands, ballot_codes):
    a, b, c = demands
    vote(kit, ballot_codes[0], {c: 1, a: 2})  # c (the duplicate) first
    vote(kit, ballot_codes[1], {b: 1, a: 2})
    vote(kit, ballot_codes[2], {b: 1})
    filing.merge(c, a)
    a.refresh_from_db()
    c.refresh_from_db()
    assert c.merged_into == a and c.status == "withdrawn"
    counted = filing.ballots_for_counting(kit)
    assert {a.pk: 1} in counted  # c's rank 1 and a's rank 2 -> a at 1
    result = filing.results(kit)
    assert [s.candidate for s in result.standings] == [b, a]
    # a vs b: ballot 1 a>b, ballot 2 b>a, ballot 3 b>a (a unranked) -> b 2-1.
    assert result.pairwise[b][a] == 2 and result.pairwise[a][b] == 1


def test_dense_ranks_keep_only_the_order(kit, demands, ballot_codes):
    a, b, c = demands
    vote(kit, ballot_codes[0], {a: 1, b: 3, c: 3})
    assert titled(Ballot.objects.get().ranks) == {
        "Human decides": 1,
        "No keyloggers": 2,
        "No leaderboards": 2,
    }

"""The pass rule travels in the manifest: the board publishes the outcome it gives, and
`verify-election` recomputes it from the board alone (exact fractions) and fails when
the two differ. Manifests made before the rule was in them verify as they always did."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.urls import reverse

from concerted.elections import ballotbox, verifier
from concerted.elections import evcrypto as ev
from concerted.elections.models import Election

from .conftest import decrypt_and_tally, run_ceremony
from .factory import board_for, make_election

pytestmark = pytest.mark.django_db

OLD_STEPS = [
    "trustees",
    "credentials",
    "hash chain",
    "ballots",
    "one ballot per credential",
    "partial decryptions",
    "tally",
]


def _verify(board: dict, tmp_path) -> tuple[int, str]:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    out = io.StringIO()
    return verifier.main([str(path)], out=out), out.getvalue()


def _tallied(c, yes: int, no: int) -> dict:
    for i in range(yes + no):
        ballot, _ = ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0] if i < yes else [0, 1]])
        ballotbox.cast(c.election, ballot)
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    c.election.refresh_from_db()
    return json.loads(json.dumps(ballotbox.board(c.election)))


def _factory_board(rule, yes: int, no: int) -> dict:
    """A tallied board whose manifest states `rule` (None: no "pass_rule" key at all)."""
    e = make_election()
    if rule is not None:
        e.manifest["pass_rule"] = rule
    ballots = [ev.encrypt_ballot(e.manifest, e.codes[i], [[1, 0] if i < yes else [0, 1]])[0] for i in range(yes + no)]
    board = board_for(e, ballots)
    if rule is not None:
        board["tally"]["passed"] = ev.passes(rule, yes, no)
    return board


def test_it_publishes_the_rule_and_the_outcome_verify_election_recomputes(client, open_election, tmp_path):
    c = open_election  # "more than 66 %"
    assert c.election.manifest["pass_rule"] == {"rule": "more", "percent": "66"}
    board = _tallied(c, yes=6, no=3)  # 6/9 is 66.67 %: more than 66 %
    assert board["tally"]["result"] == [[6, 3]] and board["tally"]["passed"] is True
    code, out = _verify(board, tmp_path)
    assert code == 0, out
    assert "ok   pass rule: yes passes with more than 66 % (33/50) of the votes cast" in out
    assert "ok   outcome: passed: 6 of the 9 votes cast are yes (6/9)" in out
    assert "  Outcome: PASSED: yes needs more than 66 % (33/50) of the votes cast" in out
    page = client.get(reverse("elections:board", args=[c.election.slug])).content.decode()
    assert "<strong>Passed.</strong> Passes if more than 66% of the votes cast are yes." in page


@pytest.mark.parametrize("claim", [False, None, "yes"])
def test_verify_election_fails_when_the_published_outcome_is_not_the_rule_s(tmp_path, claim):
    board = _factory_board({"rule": "2/3"}, yes=2, no=1)  # exactly two thirds: passes
    assert board["tally"]["passed"] is True
    if claim is None:
        del board["tally"]["passed"]
    else:
        board["tally"]["passed"] = claim
    code, out = _verify(board, tmp_path)
    assert code == 1
    assert "FAIL at step: outcome:" in out
    assert "Outcome: PASSED" not in out


@pytest.mark.parametrize(
    ("rule", "yes", "no", "passes"),
    [
        ({"rule": "2/3"}, 2, 1, True),  # exactly 2 of 3, not 66.67 %
        ({"rule": "more", "percent": "66.67"}, 2, 1, False),  # 66.666… % is not more than 66.67 %
        ({"rule": "majority"}, 2, 2, False),
        ({"rule": "atleast", "percent": "50"}, 2, 2, True),
    ],
)
def test_it_counts_the_manifest_s_rule_in_exact_fractions(tmp_path, rule, yes, no, passes):
    code, out = _verify(_factory_board(rule, yes, no), tmp_path)
    assert code == 0, out
    assert f"  Outcome: {'PASSED' if passes else 'NOT PASSED'}: yes needs {ev.describe_rule(rule)}" in out


def test_an_old_manifest_verifies_as_before_and_says_the_rule_is_not_in_it(tmp_path):
    board = _factory_board(None, yes=3, no=1)
    report = ev.verify_board(board)
    assert report.ok and [name for name, _ok, _why in report.steps] == OLD_STEPS and report.passed is None
    code, out = _verify(board, tmp_path)
    assert code == 0
    assert "3  Yes" in out and "1  No" in out and out.rstrip().endswith("PASS")
    assert "the pass rule is not in this election's manifest" in out
    # An outcome it has no rule to check by is not taken on trust.
    board["tally"]["passed"] = True
    code, out = _verify(board, tmp_path)
    assert code == 1 and "FAIL at step: outcome: the board publishes an outcome" in out


@pytest.mark.parametrize(
    "rule",
    [
        {"rule": "more", "percent": 66.5},  # a float is not exact
        {"rule": "more", "percent": "66.555"},
        {"rule": "majority", "percent": "50"},
        {"rule": "most"},
        "majority",
    ],
)
def test_it_refuses_a_manifest_whose_rule_is_not_a_rule(rule):
    e = make_election()
    e.manifest["pass_rule"] = rule
    report = ev.verify_board(board_for(e, []))
    assert not report.ok and report.failed_step().startswith("pass rule:")


def test_the_rule_can_t_be_swapped_on_a_published_board(tmp_path):
    board = _factory_board({"rule": "2/3"}, yes=2, no=1)
    board["manifest"]["pass_rule"] = {"rule": "majority"}
    code, out = _verify(board, tmp_path)
    assert code == 1 and "FAIL at step: hash chain" in out  # the fingerprint covers the rule


def test_the_board_page_states_and_counts_the_manifest_s_rule(client, open_election, tmp_path):
    c = open_election
    # Whatever happens to the election's row after voting opened, voters were shown the
    # manifest's rule and verify-election applies it: the page does the same.
    Election.objects.filter(pk=c.election.pk).update(pass_rule=Election.PassRule.MAJORITY)
    c.election.refresh_from_db()
    board = _tallied(c, yes=6, no=4)  # 60 %: more than half, not more than 66 %
    assert c.election.passed() is False and board["tally"]["passed"] is False
    page = client.get(reverse("elections:board", args=[c.election.slug])).content.decode()
    assert "<strong>Not passed.</strong> Passes if more than 66% of the votes cast are yes." in page
    code, out = _verify(board, tmp_path)
    assert code == 0 and "Outcome: NOT PASSED" in out


def test_an_election_opened_before_the_rule_was_in_the_manifest_keeps_its_own(client, open_election, tmp_path):
    c = open_election
    old = copy.deepcopy(c.election.manifest)
    del old["pass_rule"]
    c.election.manifest = old
    c.election.save(update_fields=["manifest"])
    board = _tallied(c, yes=7, no=3)
    assert "passed" not in board["tally"] and c.election.passed() is True  # by its fields: more than 66 %
    page = client.get(reverse("elections:board", args=[c.election.slug])).content.decode()
    assert "<strong>Passed.</strong> Passes if more than 66% of the votes cast are yes." in page
    code, out = _verify(board, tmp_path)
    assert code == 0 and "the pass rule is not in this election's manifest" in out


def test_a_vote_without_a_pass_rule_says_so_in_its_manifest(seats, tmp_path):
    c = run_ceremony(seats)
    ballotbox.open_voting(seats)
    seats.refresh_from_db()
    assert seats.manifest["pass_rule"] is None
    for i in range(5):  # the fewest a tally may count
        ballotbox.cast(seats, ev.encrypt_ballot(seats.manifest, c.codes[i], [[1, 1, 0]])[0])
    ballotbox.close(seats)
    decrypt_and_tally(c)
    seats.refresh_from_db()
    board = json.loads(json.dumps(ballotbox.board(seats)))
    assert "passed" not in board["tally"]
    code, out = _verify(board, tmp_path)
    assert code == 0 and "Outcome" not in out and "pass rule" not in out

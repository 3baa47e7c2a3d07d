"""Three safety findings of a fresh-eyes pass that ran a real election end to end
(2026-12-02): a member could not find their own ballot in the board they verified; a
public credential of all zeros (private key 0) let anyone cast a ballot that counted and
verified; and a tally was published from a single ballot, showing that voter's choice."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from concerted.core.kanon import MIN_COUNT
from concerted.elections import ballotbox, trustee_tool, verifier
from concerted.elections import evcrypto as ev
from concerted.elections.forms import public_file_header
from concerted.elections.models import Ballot, Credential, Election, Trustee

from .conftest import decrypt_and_tally, run_ceremony
from .factory import board_for, make_election

pytestmark = pytest.mark.django_db

ZERO = ev.hx(ev.IDENTITY)  # "000…0": the identity point, the public half of the private key 0


def _verify(board: dict[str, Any], tmp_path: Path, *trackers: str) -> tuple[int, str]:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    out = io.StringIO()
    args = [str(path)]
    for tr in trackers:
        args += ["--tracker", tr]
    return verifier.main(args, out=out), out.getvalue()


def _yes_no(e, n: int) -> list[dict[str, Any]]:
    return [ev.encrypt_ballot(e.manifest, e.codes[i], [[1, 0] if i % 2 else [0, 1]])[0] for i in range(n)]


def _forged(manifest: dict[str, Any], choices: list[list[int]], monkeypatch) -> dict[str, Any]:
    """What the pass cast: an honest ballot in every way but signed with the private key 0,
    whose public credential is the identity point. Anyone can make it."""
    with monkeypatch.context() as m:
        m.setattr(ev, "credential_secret", lambda _eid, _code: 0)
        ballot, _ = ev.encrypt_ballot(manifest, ev.new_credential_code(), choices)
    assert ballot["credential"] == ZERO
    return ballot


# --- 1. a member finds their own ballot in the board they verified ------------------------


def test_it_says_a_members_ballot_is_counted_and_in_which_batch(tmp_path) -> None:
    e = make_election()
    ballots = _yes_no(e, 6)
    code, out = _verify(board_for(e, ballots), tmp_path, ev.tracker(ballots[2]).upper())
    assert code == 0, out
    assert f"ok   tracker {ev.tracker(ballots[2])}: on the board in batch 1 (2026-11-30) and counted" in out
    assert out.rstrip().endswith("PASS")


def test_it_fails_when_a_members_ballot_is_left_out_of_a_board_that_verifies(tmp_path) -> None:
    # A dishonest server says "found" on its page and leaves the ballot out of board.json:
    # without the ballot the board still verifies, so only the tracker tells.
    e = make_election()
    ballots = _yes_no(e, 6)
    mine = ev.tracker(ballots[0])
    board = board_for(e, ballots[1:])
    assert ev.verify_board(board).ok
    code, out = _verify(board, tmp_path, ev.tracker(ballots[1]), mine)
    assert code == 1
    assert f"FAIL tracker {mine}: NOT on this board: voting is closed, so this ballot is not counted" in out
    assert f"ok   tracker {ev.tracker(ballots[1])}" in out
    assert "FAIL: the board verifies, but 1 of the trackers given is not on it" in out


def test_it_recomputes_each_tracker_from_the_ballot_not_from_a_list_the_server_wrote(tmp_path) -> None:
    e = make_election()
    ballots = _yes_no(e, 6)
    board = board_for(e, ballots[1:])
    # A tracker listed beside the ballots is not a ballot: the lookup hashes the ballots.
    board["batches"][0]["trackers"] = [ev.tracker(b) for b in ballots]
    code, out = _verify(board, tmp_path, ev.tracker(ballots[0]))
    assert code == 1 and "NOT on this board" in out


def test_it_says_a_replaced_ballot_is_not_counted_and_an_open_boards_ballot_is_not_decided_yet(
    open_election, tmp_path
) -> None:
    c = open_election
    first = ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[0], [[1, 0]])[0])
    for i in range(1, 5):
        ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0]])[0])
    ballotbox.release_batch(c.election)
    code, out = _verify(json.loads(json.dumps(ballotbox.board(c.election))), tmp_path, first)
    assert code == 0
    assert "in batch 1" in out and "voting is still open: whether it counts is known after the close" in out
    waiting = ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[5], [[0, 1]])[0])
    code, out = _verify(json.loads(json.dumps(ballotbox.board(c.election))), tmp_path, waiting)
    assert code == 1 and "waits for the next one (or the close)" in out

    last = ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[0], [[0, 1]])[0])
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    board = json.loads(json.dumps(ballotbox.board(Election.objects.get(pk=c.election.pk))))
    code, out = _verify(board, tmp_path, first, last)
    assert code == 0, out
    assert f"NOTE tracker {first}: on the board in batch 1" in out
    assert "replaced by a later ballot with the same voting code: not counted" in out
    assert f"ok   tracker {last}: on the board in batch 2" in out and "and counted" in out


def test_concerted_verify_election_takes_trackers_and_refuses_what_is_not_one(tmp_path) -> None:
    e = make_election()
    ballots = _yes_no(e, 6)
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board_for(e, ballots[1:])))
    out = io.StringIO()
    call_command("verify-election", str(path), "--tracker", ev.tracker(ballots[1]), stdout=out)
    assert "and counted" in out.getvalue() and "PASS" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="a tracker is not on it"):
        call_command("verify-election", str(path), "--tracker", ev.tracker(ballots[0]), stdout=out)
    assert "NOT on this board" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="wrong arguments"):
        call_command("verify-election", str(path), "--tracker", "dead beef", stdout=out)
    assert "not a tracker: 'dead beef' (a tracker is 64 hexadecimal characters)" in out.getvalue()


def test_the_standalone_verifier_finds_a_tracker_without_django(tmp_path) -> None:
    # As VOTING.md tells a member: verifier.py next to evcrypto.py, no Concerted installed.
    here = Path(ev.__file__).parent
    for name in ("evcrypto.py", "verifier.py"):
        shutil.copy(here / name, tmp_path / name)
    e = make_election()
    ballots = _yes_no(e, 6)
    (tmp_path / "board.json").write_text(json.dumps(board_for(e, ballots[1:])))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CONCERTED", "PYTHONPATH"))}
    run = [sys.executable, "verifier.py", "board.json", "--tracker"]
    done = subprocess.run(
        [*run, ev.tracker(ballots[1])], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "and counted" in done.stdout and "PASS" in done.stdout
    done = subprocess.run(
        [*run, ev.tracker(ballots[0])], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "NOT on this board" in done.stdout, done.stdout + done.stderr


# --- 2. the identity point (private key 0) is no credential and no key ----------------------


def test_it_refuses_the_identity_point_pasted_as_a_public_credential(as_user, election) -> None:
    real = [ev.credential_public(str(election.pk), ev.new_credential_code()) for _ in range(2)]
    pasted = public_file_header(str(election.pk)) + "\n" + "\n".join([real[0], ZERO, real[1]]) + "\n"
    url = reverse("elections:credentials", args=[election.pk])
    response = as_user("owner").post(url, {"publics": pasted})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"“{ZERO}” is the group&#x27;s identity element: its private key is 0" in html
    assert real[0] in html and real[1] in html  # nothing typed is lost
    assert not Credential.objects.exists()
    with pytest.raises(ballotbox.Refused, match="identity element"):
        ballotbox.add_credentials(election, [real[0], ZERO])
    assert not Credential.objects.exists()


def test_it_refuses_a_ballot_signed_with_key_zero(client, ceremony, monkeypatch) -> None:
    # An identity credential stored before this check: voting does not open with it...
    c = ceremony
    Credential.objects.create(election=c.election, public=ZERO)
    with pytest.raises(ballotbox.Refused, match="Revoke the credential"):
        ballotbox.open_voting(c.election)
    # ...and, were it open, a ballot signed with key 0 is refused where it is cast.
    ballotbox.revoke_credential(c.election, ZERO)
    ballotbox.open_voting(c.election)
    c.election.refresh_from_db()
    Credential.objects.filter(public=ZERO).update(revoked=False)
    forged = _forged(c.election.manifest, [[1, 0]], monkeypatch)
    assert ev.verify_ballot(c.election.manifest, forged) == (
        "not a public credential (the identity element, whose private key 0 everyone knows)"
    )
    response = client.post(
        reverse("elections:cast_json", args=[c.election.slug]),
        json.dumps(forged),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400, response.content
    assert "not valid for this election" in response.json()["error"]
    with pytest.raises(ballotbox.Refused, match="not valid for this election"):
        ballotbox.cast(c.election, forged)
    assert not Ballot.objects.exists()


def test_a_board_with_the_identity_credential_fails_verification(tmp_path, monkeypatch) -> None:
    e = make_election()
    e.credentials = sorted([*e.credentials, ZERO])
    honest = _yes_no(e, 5)
    board = board_for(e, [*honest, _forged(e.manifest, [[1, 0]], monkeypatch)])
    assert board["tally"]["result"] == [[3, 3]]  # the forged ballot was decrypted and counted
    code, out = _verify(board, tmp_path)
    assert code == 1
    assert "FAIL credentials: eligible credential 1 (000000000000) is the identity element" in out
    # The forged ballot alone, its credential not listed, fails at its ballot.
    e2 = make_election()
    forged = _forged(e2.manifest, [[1, 0]], monkeypatch)
    report = ev.verify_board(board_for(e2, [*_yes_no(e2, 5), forged]))
    assert report.failed_step() == (
        f"ballots: ballot {ev.tracker(forged)[:12]}: not a public credential "
        "(the identity element, whose private key 0 everyone knows)"
    )


def test_a_trustee_key_of_zero_is_refused(ceremony) -> None:
    eid = "test-election"
    # A dealer whose constant term is 0: its key proof verifies with key 0.
    a1 = ev.random_scalar()
    zero_dealer = {
        "index": 1,
        "commitments": [ZERO, ev.hx(ev.base(a1))],
        "pok": ev.schnorr_sign(0, "concerted/trustee-pok", [eid, "1"]),
    }
    assert not ev.verify_dealer(eid, zero_dealer, 2)
    # Two dealers whose keys cancel out: each proof verifies, the election key is the identity.
    s = ev.random_scalar()
    cancel = [
        {"index": i, "commitments": [ev.hx(ev.base(k)), ev.hx(ev.base(ev.random_scalar()))],
         "pok": ev.schnorr_sign(k, "concerted/trustee-pok", [eid, str(i)])}
        for i, k in ((1, s), (2, ev.L - s))
    ]  # fmt: skip
    assert all(ev.verify_dealer(eid, d, 2) for d in cancel)
    e = make_election()
    e.manifest.update(trustees=cancel, public_key=ZERO, threshold=2)
    report = ev.verify_board(_open_board(e))
    assert report.failed_step() == (
        "trustees: the public key is the identity element, whose private key 0 everyone knows: every ballot "
        "would be readable"
    )
    with pytest.raises(ev.Invalid, match="identity"):
        ev.encrypt_ballot(e.manifest, e.codes[0], [[1, 0]])
    # On the server: a dealer of key 0 and a box key of all zeros are refused.
    trustee = Trustee.objects.get(election=ceremony.election, index=1)
    Trustee.objects.filter(pk=trustee.pk).update(dealer=None)
    trustee.refresh_from_db()
    pok = ev.schnorr_sign(0, "concerted/trustee-pok", [str(ceremony.election.pk), "1"])
    with pytest.raises(ballotbox.Refused, match="do not verify"):
        ballotbox.post_deal(trustee, {**zero_dealer, "pok": pok}, {})
    Trustee.objects.filter(pk=trustee.pk).update(box_public="")
    trustee.refresh_from_db()
    with pytest.raises(ballotbox.Refused, match="Not a box public key"):
        ballotbox.set_box_key(trustee, ZERO)


def _open_board(e) -> dict[str, Any]:
    return {"format": ev.FORMAT, "manifest": e.manifest, "credentials": e.credentials, "revoked": [], "batches": []}


# --- 3. no tally of fewer ballots than the minimum ---------------------------------------


def _one_ballot_closed(election: Election) -> Any:
    c = run_ceremony(election, voters=11)  # the pass: 11 eligible, 1 ballot cast
    ballotbox.open_voting(election)
    election.refresh_from_db()
    ballotbox.cast(election, ev.encrypt_ballot(election.manifest, c.codes[0], [[1, 0]])[0])
    ballotbox.close(election)
    election.refresh_from_db()
    return c


def test_the_manifest_states_the_minimum_of_counted_ballots(open_election) -> None:
    assert open_election.election.manifest["min_counted"] == MIN_COUNT == ev.MIN_COUNTED


def test_trustees_do_not_decrypt_a_single_ballot(client, election) -> None:
    c = _one_ballot_closed(election)
    board = json.loads(json.dumps(ballotbox.board(election)))
    # The trustee's tool refuses before computing anything.
    with pytest.raises(trustee_tool.TrusteeError, match="Only 1 ballot is counted, fewer than the 5 needed"):
        trustee_tool.decrypt(c.states[1], board)
    # A partial decryption made anyway is refused by the decrypt endpoint.
    sums = ev.homomorphic_sums(election.manifest, ballotbox.counted_ballots(election))
    fp = ev.fingerprint(election.manifest)
    x = ev.scalar(c.states[1]["share"])
    shares = [ev.partial_decrypt(fp, 1, x, [a for a, _ in row]) for row in sums]
    response = client.post(
        reverse("elections:trustee_api", args=[election.pk, "partial"]),
        json.dumps({"shares": shares}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Trustee {c.tokens[1]}",
    )
    assert response.status_code == 400
    assert "run it again as a new election" in response.json()["error"]
    assert not Trustee.objects.filter(election=election).exclude(partial=None).exists()


def test_the_committee_is_told_why_the_tally_is_refused(as_user, election) -> None:
    _one_ballot_closed(election)
    # Even with partial decryptions stored (a server that took them), nothing is published.
    response = as_user("owner").post(reverse("elections:action", args=[election.pk]), {"action": "tally"}, follow=True)
    assert "Only 1 ballot is counted, fewer than the 5 needed to count a vote secretly" in response.content.decode()
    assert "This vote can&#x27;t be counted secretly: run it again as a new election" in response.content.decode()
    election.refresh_from_db()
    assert election.status == Election.Status.CLOSED and election.tally is None


def test_the_verifier_fails_a_tally_of_fewer_ballots_than_the_manifest_allows(tmp_path) -> None:
    e = make_election()
    e.manifest["min_counted"] = 5
    one = board_for(e, _yes_no(e, 1))  # made by hand: the tally the pass saw published
    code, out = _verify(one, tmp_path)
    assert code == 1
    assert (
        "FAIL at step: enough ballots: the tally is published with 1 counted ballot, fewer than the manifest's minimum of 5"
        in out
    )
    assert ev.verify_board(board_for(e, _yes_no(e, 5))).ok
    # A manifest may not lower the minimum below 5.
    e.manifest["min_counted"] = 1
    assert ev.verify_board(board_for(e, _yes_no(e, 1))).failed_step().startswith("enough ballots: the manifest's")


def test_an_old_manifest_verifies_as_before_with_a_warning(tmp_path) -> None:
    e = make_election()
    assert "min_counted" not in e.manifest
    code, out = _verify(board_for(e, _yes_no(e, 1)), tmp_path)
    assert code == 0, out
    assert "WARN this election's manifest states no minimum of counted ballots" in out and "PASS" in out


def test_an_option_with_no_votes_or_a_unanimous_result_is_counted(election) -> None:
    # The minimum is on the ballots, not on each option: 0 votes for No is normal.
    c = run_ceremony(election)
    ballotbox.open_voting(election)
    election.refresh_from_db()
    for i in range(5):
        ballotbox.cast(election, ev.encrypt_ballot(election.manifest, c.codes[i], [[1, 0]])[0])
    ballotbox.close(election)
    decrypt_and_tally(c)
    election.refresh_from_db()
    assert election.tally["result"] == [[5, 0]]
    assert ev.verify_board(json.loads(json.dumps(ballotbox.board(election)))).ok

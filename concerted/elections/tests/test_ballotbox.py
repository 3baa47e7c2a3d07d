"""The ballot box end to end: trustees' ceremony, casting, batches, close, tally, and
the standalone verifier on the downloaded board."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from concerted.elections import ballotbox, trustee_tool
from concerted.elections import evcrypto as ev
from concerted.elections.models import Ballot, Election, Trustee

from .conftest import decrypt_and_tally, run_ceremony

pytestmark = pytest.mark.django_db


def _vote(c, i, yes):
    ballot, _ = ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0] if yes else [0, 1]])
    return ballot, ballotbox.cast(c.election, ballot)


def test_it_runs_an_election_that_verifies(open_election) -> None:
    c = open_election
    for i in range(7):
        _vote(c, i, yes=i < 5)
    assert ballotbox.release_batch(c.election) is not None
    _vote(c, 7, yes=False)
    ballotbox.close(c.election)
    decrypt_and_tally(c, (1, 3))
    c.election.refresh_from_db()
    assert c.election.tally["result"] == [[5, 3]]
    assert c.election.passed() is False  # 5 of 8 is not more than 66%
    report = ev.verify_board(json.loads(json.dumps(ballotbox.board(c.election))))
    assert report.ok, report.failed_step()
    assert report.result == [[5, 3]]


def test_it_refuses_an_election_below_the_minimum_electorate(election) -> None:
    run_ceremony(election, voters=9)
    with pytest.raises(ballotbox.Refused, match="at least 10"):
        ballotbox.open_voting(election)


def test_it_refuses_a_copied_ballot(open_election) -> None:
    c = open_election
    ballot, _tr = _vote(c, 0, yes=True)
    with pytest.raises(ballotbox.Refused, match="copied"):
        ballotbox.cast(c.election, ballot)
    # Its ciphertexts re-signed under another member's credential: the proofs are bound to the first.
    x = ev.credential_secret(str(c.election.pk), c.codes[1])
    stolen = dict(ballot, credential=ev.hx(ev.base(x)))
    stolen["signature"] = ev.schnorr_sign(
        x,
        "concerted/ballot-signature",
        [ballot["election"], stolen["credential"], ev.sha256_hex(ev.canon(ballot["answers"]))],
    )
    with pytest.raises(ballotbox.Refused, match="proof"):
        ballotbox.cast(c.election, stolen)
    assert Ballot.objects.count() == 1


def test_it_refuses_a_ballot_without_a_valid_credential(open_election) -> None:
    c = open_election
    stranger = ev.new_credential_code()
    ballot, _ = ev.encrypt_ballot(c.election.manifest, stranger, [[1, 0]])
    with pytest.raises(ballotbox.Refused, match="not valid"):
        ballotbox.cast(c.election, ballot)


def test_it_keeps_one_ballot_per_credential_when_revoting(open_election) -> None:
    c = open_election
    _first, first_tr = _vote(c, 0, yes=True)
    for i in range(1, 5):
        _vote(c, i, yes=True)
    ballotbox.release_batch(c.election)
    _vote(c, 0, yes=False)  # the revote, published in the next batch with four others
    for i in range(5, 9):
        _vote(c, i, yes=False)
    assert ballotbox.release_batch(c.election) is not None
    # Before the close, nothing public says which ballot was replaced.
    public = ballotbox.board(c.election)
    assert "closing" not in public
    assert "replaced" not in json.dumps(public)
    assert ev.verify_board(public).ok
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    c.election.refresh_from_db()
    assert c.election.tally["result"] == [[4, 5]]
    assert c.election.closing["excluded"] == [{"tracker": first_tr, "reason": "replaced"}]
    assert ev.verify_board(ballotbox.board(c.election)).ok


def test_it_revokes_and_replaces_a_credential(open_election) -> None:
    c = open_election
    lost = ev.credential_public(str(c.election.pk), c.codes[0])
    _vote(c, 0, yes=True)
    # The replacement first: revoking first would leave 9 of the 10 needed (refused).
    new_code = ev.new_credential_code()
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), new_code)])
    ballotbox.revoke_credential(c.election, lost)
    with pytest.raises(ballotbox.Refused, match="not valid"):
        _vote(c, 0, yes=False)
    ballot, _ = ev.encrypt_ballot(c.election.manifest, new_code, [[0, 1]])
    ballotbox.cast(c.election, ballot)
    for i in range(1, 5):
        _vote(c, i, yes=True)
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    c.election.refresh_from_db()
    assert c.election.tally["result"] == [[4, 1]]
    assert ev.verify_board(ballotbox.board(c.election)).ok


def test_it_publishes_batches_of_five_in_tracker_order_with_the_day_only(open_election) -> None:
    c = open_election
    trackers = [_vote(c, i, yes=True)[1] for i in range(4)]
    assert ballotbox.release_batch(c.election) is None  # 4 waiting: not enough
    assert ballotbox.board(c.election)["batches"] == []
    trackers.append(_vote(c, 4, yes=False)[1])
    batch = ballotbox.release_batch(c.election)
    board = ballotbox.board(c.election)
    published = [ev.tracker(b) for b in board["batches"][0]["ballots"]]
    assert published == sorted(trackers)
    assert ev.verify_board(board).ok  # the batch's hash covers the trackers in that order
    assert len(batch.day.isoformat()) == 10


def test_it_cannot_tally_with_fewer_than_t_trustees(open_election) -> None:
    c = open_election
    for i in range(5):
        _vote(c, i, yes=True)
    ballotbox.close(c.election)
    shares = trustee_tool.decrypt(c.states[2], ballotbox.board(c.election))
    ballotbox.post_partial(Trustee.objects.get(election=c.election, index=2), shares)
    with pytest.raises(ballotbox.Refused, match="1 of the 2"):
        ballotbox.publish_tally(c.election)
    c.election.refresh_from_db()
    assert c.election.status == Election.Status.CLOSED


def test_it_refuses_a_wrong_partial_decryption(open_election) -> None:
    c = open_election
    for i in range(5):
        _vote(c, i, yes=True)
    ballotbox.close(c.election)
    shares = trustee_tool.decrypt(c.states[1], ballotbox.board(c.election))
    with pytest.raises(ballotbox.Refused, match="does not verify"):
        ballotbox.post_partial(Trustee.objects.get(election=c.election, index=2), shares)


def test_it_relays_shares_the_server_cannot_read(ceremony) -> None:
    for message in ceremony.election.messages.all():
        # Sealed boxes: nothing in the relayed text is a share in the clear.
        assert '"share"' not in message.sealed
        assert len(bytes.fromhex(message.sealed)) > 48


def test_it_serves_the_board_for_download(client, open_election) -> None:
    c = open_election
    for i in range(5):
        _vote(c, i, yes=True)
    ballotbox.release_batch(c.election)
    response = client.get(reverse("elections:board_json", args=[c.election.slug]))
    assert response.status_code == 200
    assert ev.verify_board(json.loads(response.content)).ok

"""The `concerted` steps on people's own machines, against a live server over HTTP
(127.0.0.1): the committee's credentials, the trustees' ceremony (shares relayed
sealed), a vote from the command line, the trustees' decryption, and
`concerted verify-election` on the downloaded board."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import Election, Trustee

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_runs_an_election_from_the_command_line(live_server, campaign, tmp_path):
    election = Election.objects.create(
        campaign=campaign, title="Ratify", question="Ratify the contract?", trustee_count=3, threshold=2
    )
    tokens = {t.index: token for t, token in (Trustee.create(election, i, f"T{i}") for i in (1, 2, 3))}
    server = live_server.url
    for i, token in tokens.items():
        run(
            "election",
            "trustee",
            "init",
            "--server",
            server,
            "--election",
            str(election.pk),
            "--token",
            token,
            "--state",
            str(tmp_path / f"t{i}.json"),
        )
    for i in tokens:
        run("election", "trustee", "deal", "--state", str(tmp_path / f"t{i}.json"))
    for i in tokens:
        assert "key share" in run("election", "trustee", "receive", "--state", str(tmp_path / f"t{i}.json"))
    # The server relayed the shares but holds none of them: every relayed message is sealed.
    for i in tokens:
        share = json.loads((tmp_path / f"t{i}.json").read_text())["share"]
        assert not any(share in m.sealed for m in election.messages.all())

    run("election", "credentials", "--election", str(election.pk), "--count", "10", "--out", str(tmp_path / "creds"))
    with (tmp_path / "creds" / "private-codes.csv").open() as f:
        codes = [row["voting code"] for row in csv.DictReader(f)]
    header, *publics = (tmp_path / "creds" / "public-credentials.txt").read_text().splitlines()
    assert header.startswith("#") and str(election.pk) in header
    assert publics == sorted(publics) and len(publics) == 10
    assert not any(code in (tmp_path / "creds" / "public-credentials.txt").read_text() for code in codes)
    ballotbox.add_credentials(election, publics)
    ballotbox.open_voting(election)

    for i, code in enumerate(codes[:6]):
        out = run(
            "election",
            "vote",
            "--server",
            server,
            "--slug",
            election.slug,
            "--code",
            code,
            "--choose",
            "1" if i < 4 else "2",
        )
        assert "Your tracker:" in out
    with pytest.raises(CommandError, match="Choose exactly 1 option: 1 = Yes, 2 = No"):
        run("election", "vote", "--server", server, "--slug", election.slug, "--code", codes[7], "--choose", "1,2")
    election.refresh_from_db()
    ballotbox.release_batch(election)
    ballotbox.close(election)
    for i in (1, 3):  # trustee 2 is away: 2 of 3 are enough
        assert "partial decryption" in run("election", "trustee", "decrypt", "--state", str(tmp_path / f"t{i}.json"))
    ballotbox.publish_tally(Election.objects.get(pk=election.pk))

    board_path = tmp_path / "board.json"
    board_path.write_text(json.dumps(ballotbox.board(Election.objects.get(pk=election.pk))))
    out = run("verify-election", str(board_path))
    assert "PASS" in out and "4  Yes" in out and "2  No" in out

    board = json.loads(board_path.read_text())
    board["tally"]["result"][0] = [5, 1]
    board_path.write_text(json.dumps(board))
    with pytest.raises(CommandError):
        out = io.StringIO()
        call_command("verify-election", str(board_path), stdout=out)
    assert "FAIL at step: tally" in out.getvalue()


def test_it_checks_a_spoiled_ballot(tmp_path):
    from .factory import make_election

    e = make_election()
    ballot, secrets = ev.encrypt_ballot(e.manifest, e.codes[0], [[0, 1]])
    path = tmp_path / "spoiled.json"
    path.write_text(
        json.dumps(
            {"manifest": e.manifest, "ballot": ballot, "choices": secrets.choices, "randomness": secrets.randomness}
        )
    )
    assert "OK" in run("election", "audit", str(path))
    path.write_text(
        json.dumps({"manifest": e.manifest, "ballot": ballot, "choices": [[1, 0]], "randomness": secrets.randomness})
    )
    with pytest.raises(CommandError, match="does NOT encrypt"):
        run("election", "audit", str(path))

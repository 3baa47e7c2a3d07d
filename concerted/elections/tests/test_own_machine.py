"""`concerted election ...` and `concerted verify-election` run on trustees' and members'
own computers: each command leaves nothing there but the files it was asked to write
(no secret key, no data or static folder from the server's settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import Election, Trustee

pytestmark = pytest.mark.django_db(transaction=True)


def concerted(laptop: Path, *args: str) -> str:
    """The command as a trustee runs it: its own process, in its own folder, with no
    server settings in the environment. A relative data folder would land right here."""
    gone = ("CONCERTED_SECRET_KEY", "CONCERTED_SECRET_KEY_FILE", "CONCERTED_OWN_MACHINE")
    env = {k: v for k, v in os.environ.items() if k not in gone}
    env["CONCERTED_DATA_DIR"] = "var"
    done = subprocess.run(
        [sys.executable, "-m", "concerted.cli", *args],
        cwd=laptop,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def holds(laptop: Path) -> list[str]:
    return sorted(str(p.relative_to(laptop)) for p in laptop.rglob("*"))


def test_it_writes_nothing_on_a_trustee_s_laptop_but_what_was_asked(live_server, campaign, tmp_path):
    election = Election.objects.create(
        campaign=campaign, title="Strike", question="Authorize a strike?", pass_rule="2/3", trustee_count=2
    )
    tokens = {t.index: token for t, token in (Trustee.create(election, i, f"T{i}") for i in (1, 2))}
    laptops = {i: tmp_path / f"trustee{i}" for i in tokens}
    for laptop in [*laptops.values(), tmp_path / "committee", tmp_path / "member"]:
        laptop.mkdir()

    eid = str(election.pk)
    for i, token in tokens.items():
        concerted(
            laptops[i], "election", "trustee", "init", "--server", live_server.url, "--election", eid,
            "--token", token, "--state", "state.json",
        )  # fmt: skip
        assert holds(laptops[i]) == ["state.json"]
    for step in ("deal", "receive"):
        for i in tokens:
            concerted(laptops[i], "election", "trustee", step, "--state", "state.json")
            assert holds(laptops[i]) == ["state.json"]

    committee = tmp_path / "committee"
    concerted(committee, "election", "credentials", "--election", eid, "--count", "10", "--out", "cards")
    assert holds(committee) == [
        "cards",
        "cards/private-codes.csv",
        "cards/public-credentials.txt",
        "cards/voting-cards.pdf",
    ]
    codes = [line.split(",")[1] for line in (committee / "cards" / "private-codes.csv").read_text().splitlines()[1:]]
    ballotbox.add_credentials(election, (committee / "cards" / "public-credentials.txt").read_text().splitlines()[1:])
    ballotbox.open_voting(election)
    election.refresh_from_db()

    member = tmp_path / "member"
    concerted(member, "election", "vote", "--server", live_server.url, "--slug", election.slug, "--code", codes[0],
              "--choose", "1")  # fmt: skip
    assert holds(member) == []
    for code in codes[1:5]:  # five ballots: the fewest a tally may count
        ballotbox.cast(election, ev.encrypt_ballot(election.manifest, code, [[1, 0]])[0])
    ballotbox.close(election)
    for i in tokens:
        concerted(laptops[i], "election", "trustee", "decrypt", "--state", "state.json")
        assert holds(laptops[i]) == ["state.json"]
    ballotbox.publish_tally(Election.objects.get(pk=election.pk))

    (member / "board.json").write_text(json.dumps(ballotbox.board(Election.objects.get(pk=election.pk))))
    assert "Outcome: PASSED" in concerted(member, "verify-election", "board.json")
    assert holds(member) == ["board.json"]


def test_the_server_s_commands_still_make_their_data_folder(tmp_path):
    concerted(tmp_path, "check")
    assert holds(tmp_path) == ["var", "var/secret.key", "var/static"]

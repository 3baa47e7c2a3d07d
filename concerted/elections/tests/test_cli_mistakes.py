"""`concerted election ...` when people make mistakes: a message saying what to do,
never a traceback; and the small things the command line prints (which election,
what was chosen, option names)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from concerted.elections import ballotbox, trustee_tool
from concerted.elections import evcrypto as ev
from concerted.elections.models import Election, Trustee

from .factory import make_election

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def init(server: str, election: Election, token: str, state) -> str:
    return run(
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
        str(state),
    )


@pytest.fixture
def fresh(campaign) -> tuple[Election, dict[int, str]]:
    election = Election.objects.create(campaign=campaign, title="Ratify", question="Ratify?", trustee_count=2)
    return election, {t.index: token for t, token in (Trustee.create(election, i, f"T{i}") for i in (1, 2))}


def test_init_names_the_election_and_says_when_the_token_or_id_is_wrong(live_server, fresh, tmp_path):
    election, tokens = fresh
    out = init(live_server.url, election, tokens[1], tmp_path / "t1.json")
    assert f"Election “Ratify” ({election.pk}) on {live_server.url}; you are trustee 1." in out
    with pytest.raises(CommandError, match=r"knows no election .* with this token: check --election and --token"):
        init(live_server.url, election, "wrong-token", tmp_path / "t2.json")
    assert not (tmp_path / "t2.json").exists()
    with pytest.raises(CommandError, match="“not-an-id” is not an election id"):
        run(
            "election",
            "trustee",
            "init",
            "--server",
            live_server.url,
            "--election",
            "not-an-id",
            "--token",
            tokens[2],
            "--state",
            str(tmp_path / "t2.json"),
        )


def test_init_is_run_again_with_the_same_file_after_a_refusal_or_a_new_ceremony(live_server, fresh, tmp_path):
    election, tokens = fresh
    state_path = tmp_path / "t1.json"
    # What a first init leaves when the server never took the key (refused, or the line dropped).
    trustee_tool.save_state(
        state_path, {**trustee_tool.new_state(str(election.pk), 1), "server": live_server.url, "token": tokens[1]}
    )
    box = json.loads(state_path.read_text())["box_public"]
    assert "key registered" in init(live_server.url, election, tokens[1], state_path)
    assert Trustee.objects.get(election=election, index=1).box_public == box
    assert "key registered" in init(live_server.url, election, tokens[1], state_path)  # again: no harm
    # The organizers start the ceremony again: new tokens, the same state file works.
    Trustee.objects.filter(election=election).delete()
    new = {t.index: token for t, token in (Trustee.create(election, i, f"T{i}") for i in (1, 2))}
    init(live_server.url, election, new[1], state_path)
    assert Trustee.objects.get(election=election, index=1).box_public == box
    assert json.loads(state_path.read_text())["token"] == new[1]
    # Another trustee's key already registered: this file is not theirs.
    init(live_server.url, election, new[2], tmp_path / "t2.json")
    with pytest.raises(CommandError, match="already registered another key"):
        init(live_server.url, election, new[2], state_path)


def test_trustee_steps_with_the_wrong_file_say_so(live_server, fresh, tmp_path):
    election, tokens = fresh
    for i in (1, 2):
        init(live_server.url, election, tokens[i], tmp_path / f"t{i}.json")
    # Not a state file at all.
    (tmp_path / "board.json").write_text(json.dumps({"format": "concerted-election-board/1"}))
    with pytest.raises(CommandError, match="is not a trustee state file"):
        run("election", "trustee", "deal", "--state", str(tmp_path / "board.json"))
    with pytest.raises(CommandError, match="does not exist"):
        run("election", "trustee", "deal", "--state", str(tmp_path / "missing.json"))
    # Trustee 1's state with its key swapped: not the key the server has.
    state = json.loads((tmp_path / "t1.json").read_text())
    other = trustee_tool.new_state(str(election.pk), 1)
    (tmp_path / "swapped.json").write_text(
        json.dumps({**state, "box_secret": other["box_secret"], "box_public": other["box_public"]})
    )
    with pytest.raises(CommandError, match="not the one the server has for trustee 1"):
        run("election", "trustee", "deal", "--state", str(tmp_path / "swapped.json"))
    for i in (1, 2):
        run("election", "trustee", "deal", "--state", str(tmp_path / f"t{i}.json"))
    # The right public key but another secret: the sealed shares can't be opened.
    (tmp_path / "wrongsecret.json").write_text(json.dumps({**state, "box_secret": other["box_secret"]}))
    with pytest.raises(CommandError, match="can't be opened with this state file's key"):
        run("election", "trustee", "receive", "--state", str(tmp_path / "wrongsecret.json"))
    # Decrypt before receive, and before the close.
    with pytest.raises(CommandError, match="Voting isn't closed yet"):
        run("election", "trustee", "decrypt", "--state", str(tmp_path / "t1.json"))
    election.status = Election.Status.CLOSED
    election.save(update_fields=["status"])
    with pytest.raises(CommandError, match="holds no key share: run `receive`"):
        run("election", "trustee", "decrypt", "--state", str(tmp_path / "t1.json"))


def test_decrypt_before_the_close_says_voting_is_not_closed(live_server, open_election, tmp_path):
    c = open_election
    for i, state in c.states.items():
        trustee_tool.save_state(tmp_path / f"t{i}.json", {**state, "server": live_server.url, "token": c.tokens[i]})
    with pytest.raises(CommandError, match="Voting isn't closed yet"):
        run("election", "trustee", "decrypt", "--state", str(tmp_path / "t1.json"))
    # And the tool itself, given an open board.
    with pytest.raises(trustee_tool.TrusteeError, match="Voting isn't closed yet"):
        trustee_tool.decrypt(c.states[1], ballotbox.board(c.election))


def test_credentials_check_the_election_id_and_name_it_in_the_public_file(election, tmp_path):
    with pytest.raises(CommandError, match="“wrong-id” is not an election id"):
        run("election", "credentials", "--election", "wrong-id", "--count", "3", "--out", str(tmp_path / "a"))
    assert not (tmp_path / "a" / "private-codes.csv").exists()
    out = run("election", "credentials", "--election", str(election.pk), "--count", "1", "--out", str(tmp_path / "b"))
    assert out.startswith("1 code for election") and "1 codes" not in out
    first = (tmp_path / "b" / "public-credentials.txt").read_text().splitlines()[0]
    assert first.startswith("#") and str(election.pk) in first
    raw = (tmp_path / "b" / "private-codes.csv").read_bytes()
    assert raw.startswith(b"card,voting code\r\n")  # RFC 4180, like every CSV Concerted writes


def test_it_prints_the_public_credential_of_a_voting_code(election):
    code = ev.new_credential_code()
    out = run("election", "credential", code.lower().replace("-", " "), "--election", str(election.pk))
    assert out.strip() == ev.credential_public(str(election.pk), code)
    with pytest.raises(CommandError, match="That is not a voting code"):
        run("election", "credential", "ABC", "--election", str(election.pk))
    with pytest.raises(CommandError, match="is not an election id"):
        run("election", "credential", code, "--election", "x")


def test_vote_takes_option_names_lists_the_options_and_repeats_the_choice(live_server, open_election):
    c = open_election
    base = ("election", "vote", "--server", live_server.url, "--slug", c.election.slug)
    out = run(*base, "--code", c.codes[0], "--choose", "yes")
    assert "You chose: Yes." in out and "Your tracker:" in out and "Authorize a strike?" in out
    with pytest.raises(CommandError, match=r"“maybe” is not one of the options.*1 = Yes, 2 = No"):
        run(*base, "--code", c.codes[1], "--choose", "maybe")
    with pytest.raises(CommandError, match=r"Say what you choose with --choose.*1 = Yes, 2 = No"):
        run(*base, "--code", c.codes[1])
    with pytest.raises(CommandError, match="That is not a voting code"):
        run(*base, "--code", "ABC", "--choose", "2")
    with pytest.raises(CommandError, match="No election “nope”"):
        run("election", "vote", "--server", live_server.url, "--slug", "nope", "--code", c.codes[1], "--choose", "1")


def test_audit_prints_option_names(tmp_path):
    e = make_election()
    ballot, secrets = ev.encrypt_ballot(e.manifest, e.codes[0], [[0, 1]])
    path = tmp_path / "spoiled.json"
    path.write_text(
        json.dumps(
            {"manifest": e.manifest, "ballot": ballot, "choices": secrets.choices, "randomness": secrets.randomness}
        )
    )
    out = run("election", "audit", str(path))
    assert "encrypts exactly: No." in out and "[[" not in out
    path.write_text("[]")
    with pytest.raises(CommandError, match="Can't read the spoiled ballot"):
        run("election", "audit", str(path))

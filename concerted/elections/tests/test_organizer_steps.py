"""Organizer steps a fresh-eyes pass found broken: revoking a lost card by its code,
credentials made for another election, private codes pasted where public ones go,
trustee tokens lost on a reload, messages stuck in one language, a single trustee,
the pass rule, and plurals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.forms import public_file_header
from concerted.elections.models import Credential, Election, Trustee

pytestmark = pytest.mark.django_db


def _url(name: str, election: Election) -> str:
    return reverse(f"elections:{name}", args=[election.pk])


# --- 1. revoking a lost card -------------------------------------------------------


def test_it_revokes_a_lost_card_by_the_code_as_typed_on_it(as_user, ceremony):
    election, code = ceremony.election, ceremony.codes[0]
    public = ev.credential_public(str(election.pk), code)
    typed = "  " + code.lower().replace("-", " ") + " "  # any case, spaces for dashes, padding
    response = as_user("owner").post(_url("revoke", election), {"public": typed}, follow=True)
    assert response.status_code == 200
    assert b"Credential revoked" in response.content
    assert Credential.objects.get(election=election, public=public).revoked
    assert election.eligible().count() == len(ceremony.codes) - 1


def test_it_revokes_by_a_pasted_public_credential_with_spaces_around_it(as_user, ceremony):
    election = ceremony.election
    public = ev.credential_public(str(election.pk), ceremony.codes[1])
    page = as_user("owner").get(_url("dashboard", election)).content.decode()
    revoke_input = re.search(r'<input[^>]*name="public"[^>]*>', page).group(0)
    assert "maxlength" not in revoke_input  # a browser cut a pasted value with a leading space
    response = as_user("owner").post(_url("revoke", election), {"public": f" {public.upper()}\n"})
    assert response.status_code == 302
    assert Credential.objects.get(election=election, public=public).revoked


def test_it_says_what_the_revoke_box_takes(as_user, ceremony):
    response = as_user("owner").post(_url("revoke", ceremony.election), {"public": "lost it"})
    assert response.status_code == 400
    assert b"Neither a voting code" in response.content
    assert not Credential.objects.filter(revoked=True).exists()


# --- 2. credentials made for another election -----------------------------------------


def _file(election_id: str, codes: list[str]) -> str:
    publics = sorted(ev.credential_public(election_id, c) for c in codes)
    return public_file_header(election_id) + "\n" + "\n".join(publics) + "\n"


def test_it_refuses_a_public_credentials_file_made_for_another_election(as_user, election, campaign):
    other = Election.objects.create(campaign=campaign, title="Other", question="?")
    codes = [ev.new_credential_code() for _ in range(3)]
    response = as_user("owner").post(_url("credentials", election), {"publics": _file(str(other.pk), codes)})
    assert response.status_code == 400
    assert b"This file was made for another election" in response.content
    assert str(election.pk).encode() in response.content
    assert not Credential.objects.exists()


def test_it_takes_its_own_file_and_says_when_everything_was_already_there(as_user, election):
    client = as_user("owner")
    codes = [ev.new_credential_code() for _ in range(3)]
    text = _file(str(election.pk), codes)
    first = client.post(_url("credentials", election), {"publics": text}, follow=True)
    assert b"3 public credentials added." in first.content
    assert election.credentials.count() == 3
    again = client.post(_url("credentials", election), {"publics": text}, follow=True)
    assert b"Nothing added: all 3 public credentials were already there." in again.content
    assert b"0 public credentials" not in again.content
    one = _file(str(election.pk), [ev.new_credential_code()])
    single = client.post(_url("credentials", election), {"publics": one}, follow=True)
    assert b"1 public credential added." in single.content
    assert election.credentials.count() == 4


# --- 8. private codes pasted in the public box ----------------------------------------


@pytest.mark.parametrize("layout", ["csv", "codes"])
def test_it_refuses_private_codes_loudly_and_never_shows_them_back(as_user, election, layout):
    codes = [ev.new_credential_code() for _ in range(3)]
    if layout == "csv":
        pasted = "card,voting code\r\n" + "".join(f"{i},{c}\r\n" for i, c in enumerate(codes, 1))
    else:
        pasted = "\n".join(codes)
    response = as_user("owner").post(_url("credentials", election), {"publics": pasted})
    assert response.status_code == 400
    html = response.content.decode()
    assert "These are PRIVATE voting codes" in html and "make new credentials" in html
    for code in codes:
        assert code not in html and code.replace("-", "") not in html
    assert not Credential.objects.exists()


# --- 3. trustee tokens: a reload, a new token, a new ceremony ----------------------------


def _invite_tokens(html: str) -> dict[int, str]:
    return {int(i): t for t, i in re.findall(r"--token (\S+) --state trustee-(\d+)\.json", html)}


def test_a_reload_of_the_invitations_says_how_to_get_a_token_again(as_user, election):
    client = as_user("owner")
    first = client.post(_url("trustees", election))
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert len(_invite_tokens(first.content.decode())) == 3
    again = client.post(_url("trustees", election), follow=True)
    assert b"make a new token for a trustee" in again.content
    assert again.content.count(b'name="step" value="reissue"') == 3


def test_a_new_token_replaces_the_old_one_until_the_trustee_registers_a_key(client, as_user, election):
    owner = as_user("owner")
    old = _invite_tokens(owner.post(_url("trustees", election)).content.decode())[2]
    page = owner.post(_url("trustees", election), {"step": "reissue", "trustee": "2"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    new = _invite_tokens(page.content.decode())
    assert list(new) == [2] and new[2] != old
    roster = reverse("elections:trustee_api", args=[election.pk, "roster"])
    assert client.get(roster, HTTP_AUTHORIZATION=f"Trustee {old}").status_code == 404
    answer = client.get(roster, HTTP_AUTHORIZATION=f"Trustee {new[2]}")
    assert answer.status_code == 200 and answer.json()["index"] == 2
    assert answer.json()["title"] == election.title
    trustee = Trustee.objects.get(election=election, index=2)
    assert trustee.token_hash == Trustee.hash_token(new[2])  # only the hash is kept
    ballotbox.set_box_key(trustee, "ab" * 32)
    refused = owner.post(_url("trustees", election), {"step": "reissue", "trustee": "2"}, follow=True)
    assert b"has already registered a key" in refused.content
    assert Trustee.objects.get(pk=trustee.pk).token_hash == Trustee.hash_token(new[2])


def test_the_key_ceremony_starts_again_before_anyone_dealt_and_not_after(as_user, election, campaign):
    owner = as_user("owner")
    owner.post(_url("trustees", election))
    ballotbox.set_box_key(Trustee.objects.get(election=election, index=1), "cd" * 32)
    ask = owner.post(_url("trustees", election), {"step": "restart"})
    assert ask.status_code == 200 and b"Start the key ceremony again?" in ask.content
    assert Trustee.objects.filter(election=election).count() == 3  # nothing yet: asked first
    done = owner.post(_url("trustees", election), {"step": "restart", "confirm": "yes"}, follow=True)
    assert b"The key ceremony starts again" in done.content
    assert not Trustee.objects.filter(election=election).exists()
    assert len(_invite_tokens(owner.post(_url("trustees", election)).content.decode())) == 3

    from .conftest import run_ceremony

    dealt = Election.objects.create(campaign=campaign, title="Dealt", question="?", trustee_count=2, threshold=2)
    run_ceremony(dealt)
    refused = owner.post(_url("trustees", dealt), {"step": "restart", "confirm": "yes"}, follow=True)
    assert b"only start again before any trustee has dealt" in refused.content
    assert Trustee.objects.filter(election=dealt).count() == 2


# --- 4. action messages in the request's language ----------------------------------------


def test_action_messages_follow_each_requests_language(as_user, ceremony):
    client = as_user("owner")
    with translation.override("es"):
        spanish_url = _url("action", ceremony.election)
    with translation.override("en"):
        english_url = _url("action", ceremony.election)
    assert client.get(_url("dashboard", ceremony.election)).status_code == 200  # an English page first
    spanish = client.post(spanish_url, {"action": "open"}, follow=True)
    assert "La votación está abierta." in spanish.content.decode()
    english = client.post(english_url, {"action": "close", "confirm": "yes"}, follow=True)
    # No ballots: closed, and the (English) message and page say no tally can come of it.
    assert b"Voting is closed." in english.content and b"Only 0 ballots are counted" in english.content


# --- 5. one trustee, or one needed ------------------------------------------------------


def _new(client, campaign, **fields):
    data = {"title": "Vote", "question": "Ratify?", "kind": "yesno", "pass_rule": "majority"}
    data.update({"trustee_count": 3, "threshold": 2, **fields})
    return client.post(reverse("elections:new", args=[campaign.pk]), data)


@pytest.mark.parametrize(("n", "t", "field"), [(1, 1, "trustee_count"), (3, 1, "threshold")])
def test_it_refuses_a_single_person_holding_the_key(as_user, campaign, n, t, field):
    response = _new(as_user("owner"), campaign, trustee_count=n, threshold=t)
    assert response.status_code == 400
    assert b"could decrypt every ballot" in response.content
    assert not Election.objects.filter(title="Vote").exists()


def test_the_dashboard_warns_about_an_old_single_trustee_election(as_user, campaign):
    old = Election.objects.create(campaign=campaign, title="Old", question="?", trustee_count=1, threshold=1)
    html = as_user("owner").get(_url("dashboard", old)).content.decode()
    assert "Any 1 trustee alone can decrypt every single ballot" in html
    assert "1 trustee makes the election key" in html and "1 trustees" not in html


# --- 6. the pass rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "percent", "yes", "no", "passes"),
    [
        ("2/3", "", 2, 1, True),  # exactly two thirds
        ("2/3", "", 199, 101, False),  # 66.33 %
        ("majority", "", 5, 5, False),
        ("majority", "", 6, 5, True),
        ("more", "66.5", 133, 67, False),  # exactly 66.5 %
        ("more", "66.5", 134, 66, True),
        ("atleast", "66.5", 133, 67, True),
        ("atleast", "60", 59, 41, False),
    ],
)
def test_the_pass_rule_says_what_the_union_means(as_user, campaign, rule, percent, yes, no, passes):
    response = _new(as_user("owner"), campaign, pass_rule=rule, pass_percent=percent)
    assert response.status_code == 302, response.content.decode()[-3000:]
    election = Election.objects.get(title="Vote")
    assert election.passes_with(yes, no) is passes
    election.tally = {"result": [[yes, no]]}
    assert election.passed() is passes


def test_the_dashboard_states_the_rule_and_old_elections_keep_theirs(as_user, campaign):
    client = as_user("owner")
    _new(client, campaign, pass_rule="2/3")
    html = client.get(_url("dashboard", Election.objects.get(title="Vote"))).content.decode()
    assert "Passes if at least two thirds of the votes cast are yes." in html
    # An election stored before the rule existed: "more than 66 %", shown as 66.
    old = Election.objects.create(campaign=campaign, title="Old", question="?", pass_rule="more", pass_percent=66)
    old.refresh_from_db()
    assert old.pass_percent == Decimal(66) and str(old.pass_percent) == "66"
    assert "Passes if more than 66% of the votes cast are yes." in client.get(_url("dashboard", old)).content.decode()
    assert not old.passes_with(66, 34) and old.passes_with(67, 33)


def test_it_asks_for_the_percentage_only_with_a_percentage_rule(as_user, campaign):
    response = _new(as_user("owner"), campaign, pass_rule="atleast", pass_percent="")
    assert response.status_code == 400 and b"Give the percentage" in response.content
    response = _new(as_user("owner"), campaign, pass_rule="more", pass_percent="99.5")
    assert response.status_code == 400 and b"between 1 and 99" in response.content


# --- 10. fields that don't apply are not required; plurals --------------------------------


def test_a_choose_one_election_needs_no_pass_rule_or_number_of_choices(as_user, campaign):
    response = as_user("owner").post(
        reverse("elections:new", args=[campaign.pk]),
        {"title": "Chair", "question": "Who?", "kind": "one", "options_text": "Ana\nBo", "trustee_count": 3},
        follow=False,
    )
    assert response.status_code == 400  # threshold is still needed
    html = response.content.decode()
    assert "pass_rule" in html and not re.search(r'id="id_pass_rule_error"', html)
    response = as_user("owner").post(
        reverse("elections:new", args=[campaign.pk]),
        {
            "title": "Chair",
            "question": "Who?",
            "kind": "one",
            "options_text": "Ana\nBo",
            "trustee_count": 3,
            "threshold": 2,
        },
    )
    assert response.status_code == 302
    chair = Election.objects.get(title="Chair")
    assert chair.max_choices == 1 and chair.passed() is None
    page = as_user("owner").get(_url("dashboard", chair)).content.decode()
    assert "Passes if" not in page


def test_the_dashboard_counts_in_the_singular_too(as_user, open_election):
    c = open_election
    ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[0], [[1, 0]])[0])
    ballotbox.release_batch(c.election, final=True)
    html = as_user("owner").get(_url("dashboard", c.election)).content.decode()
    assert "1 ballot cast (revotes included)" in html and "1 batch published." in html
    assert "1 batches" not in html and "1 ballots" not in html

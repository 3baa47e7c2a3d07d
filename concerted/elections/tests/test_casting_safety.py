"""What a fresh-eyes pass found around casting: a spoiled ballot stays uncastable, a
replaced ballot is marked on the web after the close (and only then), the electorate
never drops below the minimum once voting is open, a late ballot is refused plainly,
the vote page says who encrypts, and a meeting on one Wi-Fi is not rate limited."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import MIN_ELECTORATE, Ballot, Credential, Election

pytestmark = pytest.mark.django_db


def _ballot(c, i: int, yes: bool) -> dict:
    return ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0] if yes else [0, 1]])[0]


def _post(client: Client, name: str, election: Election, ballot: dict, **extra):
    url = reverse(f"elections:{name}", args=[election.slug])
    return client.post(
        url, json.dumps(ballot), content_type="application/json", HTTP_ACCEPT="application/json", **extra
    )


# --- 2. a spoiled ballot can't be cast -------------------------------------------------


def test_it_refuses_to_cast_a_ballot_that_was_spoiled_for_checking(client, open_election):
    c = open_election
    spoiled = _ballot(c, 0, yes=True)
    answer = _post(client, "spoiled_json", c.election, spoiled)
    assert answer.status_code == 200 and answer.json() == {"spoiled": ev.tracker(spoiled)}
    # Whoever holds its JSON (the check shows it with the randomness) posts it to cast.json.
    refused = _post(client, "cast_json", c.election, spoiled)
    assert refused.status_code == 400
    assert "opened for checking" in refused.json()["error"] and "encrypt a new one" in refused.json()["error"]
    # ... or through the vote form's ballot field.
    page = client.post(reverse("elections:vote", args=[c.election.slug]), {"ballot": json.dumps(spoiled)})
    assert page.status_code == 400 and b"opened for checking" in page.content
    assert not Ballot.objects.exists()
    # A fresh encryption of the same choice by the same voter casts.
    assert _post(client, "cast_json", c.election, _ballot(c, 0, yes=True)).status_code == 200


def test_it_takes_no_randomness_and_no_stranger_when_told_of_a_spoiled_ballot(client, open_election):
    c = open_election
    with_secrets = {"ballot": _ballot(c, 1, yes=False), "randomness": [["00" * 32] * 2]}
    assert _post(client, "spoiled_json", c.election, with_secrets).status_code == 400
    stranger = ev.encrypt_ballot(c.election.manifest, ev.new_credential_code(), [[1, 0]])[0]
    answer = _post(client, "spoiled_json", c.election, stranger)
    assert answer.status_code == 400 and "not valid" in answer.json()["error"]
    # A ballot already cast can't be "spoiled" afterwards by someone who copied it off the board.
    cast = _ballot(c, 2, yes=True)
    ballotbox.cast(c.election, cast)
    answer = _post(client, "spoiled_json", c.election, cast)
    assert answer.status_code == 400 and "already cast" in answer.json()["error"]
    assert Ballot.objects.get().tracker == ev.tracker(cast)


# --- 3. replaced ballots on the web, after the close only -----------------------------------


def _tracker_page(client: Client, election: Election, tracker: str) -> str:
    return client.get(reverse("elections:tracker", args=[election.slug, tracker])).content.decode()


def _board_search(client: Client, election: Election, tracker: str) -> str:
    html = client.get(reverse("elections:board", args=[election.slug]), {"tracker": tracker}).content.decode()
    found = re.search(r'<p role="status" id="find-result"[^>]*>(.*?)</p>', html, re.S)
    assert found, html
    return found.group(1)


def test_it_marks_a_replaced_ballot_on_the_tracker_page_and_board_after_the_close_only(client, open_election):
    c = open_election
    first = ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    for i in range(1, 5):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    ballotbox.release_batch(c.election)
    last = ballotbox.cast(c.election, _ballot(c, 0, yes=False))  # the revote
    for i in range(5, 9):
        ballotbox.cast(c.election, _ballot(c, i, yes=False))
    ballotbox.release_batch(c.election)
    # Before the close nothing public says which ballot still counts.
    for tracker in (first, last):
        assert "not counted" not in _tracker_page(client, c.election, tracker)
        assert "Found in batch" in _board_search(client, c.election, tracker)
        assert "not counted" not in _board_search(client, c.election, tracker)
    ballotbox.close(c.election)
    c.election.refresh_from_db()
    assert c.election.closing["excluded"] == [{"tracker": first, "reason": "replaced"}]
    assert "Replaced by a later ballot with the same voting code: it is not counted." in _tracker_page(
        client, c.election, first
    )
    result = _board_search(client, c.election, first)
    assert "Found in batch 1" in result and "Replaced by a later ballot with the same voting code" in result
    assert "not counted" not in _tracker_page(client, c.election, last)
    assert "not counted" not in _board_search(client, c.election, last)


def test_it_marks_a_revoked_cards_ballot_after_the_close(client, open_election):
    c = open_election
    tracker = ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), ev.new_credential_code())])
    ballotbox.revoke_credential(c.election, ev.credential_public(str(c.election.pk), c.codes[0]))
    assert "not counted" not in _tracker_page(client, c.election, tracker)
    ballotbox.close(c.election)
    assert "voting code was revoked" in _tracker_page(client, c.election, tracker)
    assert "voting code was revoked" in _board_search(client, c.election, tracker)


# --- 4. the electorate stays at the minimum once voting is open ---------------------------


def test_it_refuses_a_revocation_that_would_leave_fewer_than_the_minimum(open_election):
    c = open_election
    assert c.election.eligible().count() == MIN_ELECTORATE
    lost = ev.credential_public(str(c.election.pk), c.codes[0])
    with pytest.raises(ballotbox.Refused, match=r"Add the member's replacement card .* first"):
        ballotbox.revoke_credential(c.election, lost)
    assert not Credential.objects.get(election=c.election, public=lost).revoked
    # With the replacement added first, the lost card is revoked.
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), ev.new_credential_code())])
    ballotbox.revoke_credential(c.election, lost)
    assert c.election.eligible().count() == MIN_ELECTORATE
    ballotbox.close(c.election)
    assert len(ballotbox.board(c.election)["credentials"]) == MIN_ELECTORATE


def test_it_revokes_freely_while_setting_up_and_never_closes_below_the_minimum(ceremony):
    c = ceremony
    ballotbox.revoke_credential(c.election, ev.credential_public(str(c.election.pk), c.codes[0]))  # opening checks
    with pytest.raises(ballotbox.Refused, match="at least 10"):
        ballotbox.open_voting(c.election)
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), ev.new_credential_code())])
    ballotbox.open_voting(c.election)
    c.election.refresh_from_db()
    # Rows from before this check (revoked below the minimum): closing now would make a board nobody can count.
    Credential.objects.filter(election=c.election, public=c.election.eligible().first().public).update(revoked=True)
    with pytest.raises(ballotbox.Refused, match="add the replacement cards"):
        ballotbox.close(c.election)
    c.election.refresh_from_db()
    assert c.election.is_open


# --- 5, 6, 7. the vote page -----------------------------------------------------------------


def test_it_says_who_encrypts_with_javascript_on_and_off(client, open_election):
    html = client.get(reverse("elections:vote", args=[open_election.election.slug])).content.decode()
    safety = re.search(r'<aside class="safety".*?</aside>', html, re.S).group(0)
    # Shown by vote.js only: without JavaScript the server encrypts.
    assert re.search(r'<p class="ballot-js" hidden>Your choice is encrypted on this phone', safety)
    assert re.search(r"<noscript><p>JavaScript is off, so this server encrypts your choice", safety)
    visible_without_script = re.sub(r'<p class="ballot-js" hidden>.*?</p>', "", safety, flags=re.S)
    assert "encrypted on this phone" not in visible_without_script


def test_it_keeps_the_choice_out_of_the_browsers_form_memory(client, open_election):
    html = client.get(reverse("elections:vote", args=[open_election.election.slug])).content.decode()
    form = re.search(r'<form method="post" id="vote-form"[^>]*>', html).group(0)
    assert 'autocomplete="off"' in form
    response = client.get(reverse("elections:vote", args=[open_election.election.slug]))
    assert "no-store" in response["Cache-Control"]


def test_it_says_a_ballot_after_the_close_was_not_cast(client, open_election):
    c = open_election
    late = _ballot(c, 3, yes=True)
    ballotbox.close(c.election)
    url = reverse("elections:vote", args=[c.election.slug])
    response = client.post(url, {"code": c.codes[3], "choice": "0", "no_script": "1"})
    assert response.status_code == 409
    assert b"Voting is closed: your ballot was not cast." in response.content
    response = client.post(url, {"ballot": json.dumps(late)})
    assert response.status_code == 409 and b"your ballot was not cast" in response.content
    answer = _post(client, "cast_json", c.election, late)
    assert answer.status_code == 409 and answer.json()["error"] == "Voting is closed: your ballot was not cast."
    assert client.get(url).status_code == 200
    assert not Ballot.objects.exists()


# --- 8. a meeting on one Wi-Fi -------------------------------------------------------------


@pytest.mark.ratelimit
def test_a_meeting_on_one_wifi_casts_past_the_public_limit(settings, open_election):
    """Twenty members on the hall's Wi-Fi are one address: the public limit (20 per 10
    minutes) stopped the 21st. Ballots have their own, higher limit."""
    c = open_election
    settings.PUBLIC_POST_RATE = "2/10m"
    settings.BALLOT_POST_RATE = "6/10m"
    hall = Client(REMOTE_ADDR="203.0.113.50")
    url = reverse("elections:vote", args=[c.election.slug])
    statuses = [hall.post(url, {"code": code, "choice": "1", "no_script": "1"}).status_code for code in c.codes[:4]]
    statuses += [_post(hall, "cast_json", c.election, _ballot(c, i, yes=True)).status_code for i in (4, 5)]
    assert statuses == [302, 302, 302, 302, 200, 200]
    # The ballot limit still holds, per address; another address is counted apart.
    assert _post(hall, "cast_json", c.election, _ballot(c, 6, yes=True)).status_code == 429
    assert (
        _post(Client(REMOTE_ADDR="203.0.113.51"), "cast_json", c.election, _ballot(c, 6, yes=True)).status_code == 200
    )
    assert Ballot.objects.count() == 7


@pytest.mark.ratelimit
def test_the_global_ceiling_still_covers_ballots(settings, open_election):
    c = open_election
    settings.GLOBAL_POST_RATE = "2/m"
    answers = [
        _post(Client(REMOTE_ADDR=f"203.0.113.{i}"), "cast_json", c.election, _ballot(c, i, yes=True)) for i in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]


def test_the_default_ballot_limit_lets_a_large_meeting_vote(settings):
    count, _period = settings.BALLOT_POST_RATE.split("/")
    assert int(count) >= 300 and settings.PUBLIC_POST_RATE == "20/10m"

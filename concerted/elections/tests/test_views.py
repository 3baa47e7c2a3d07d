"""Organizer and voter pages: success, wrong method, strangers; clear messages on bad input."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import Ballot, Election, Trustee

pytestmark = pytest.mark.django_db


def organizer_urls(election):
    return {
        "dashboard": (reverse("elections:dashboard", args=[election.pk]), "GET"),
        "new": (reverse("elections:new", args=[election.campaign_id]), "GET"),
        "trustees": (reverse("elections:trustees", args=[election.pk]), "POST"),
        "credentials": (reverse("elections:credentials", args=[election.pk]), "POST"),
        "revoke": (reverse("elections:revoke", args=[election.pk]), "POST"),
        "action": (reverse("elections:action", args=[election.pk]), "POST"),
    }


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_it_serves_organizer_pages_to_organizers(as_user, election, who):
    client = as_user(who)
    assert client.get(reverse("elections:dashboard", args=[election.pk])).status_code == 200
    response = client.get(reverse("elections:new", args=[election.campaign_id]))
    assert response.status_code == 200
    assert b"not secret from the server" in response.content


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_gives_strangers_nothing(as_user, election, who):
    client = as_user(who)
    for url, method in organizer_urls(election).values():
        response = client.get(url) if method == "GET" else client.post(url, {"action": "open"})
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, url
    assert not Trustee.objects.exists()


def test_it_refuses_wrong_methods(as_user, election):
    client = as_user("owner")
    for url, method in organizer_urls(election).values():
        response = client.put(url) if method == "GET" else client.get(url)
        assert response.status_code == 405, url


def test_it_creates_an_election(as_user, campaign):
    client = as_user("owner")
    response = client.post(
        reverse("elections:new", args=[campaign.pk]),
        {
            "title": "Officers",
            "question": "President",
            "kind": "one",
            "options_text": "Ana\nBo\nCy",
            "max_choices": 1,
            "pass_percent": 50,
            "trustee_count": 3,
            "threshold": 2,
        },
    )
    election = Election.objects.get(title="Officers")
    assert response.status_code == 302
    assert election.question_spec() == {"text": "President", "options": ["Ana", "Bo", "Cy"], "min": 1, "max": 1}


def test_it_keeps_typed_data_on_a_bad_election_form(as_user, campaign):
    client = as_user("owner")
    response = client.post(
        reverse("elections:new", args=[campaign.pk]),
        {
            "title": "Seats",
            "question": "Who?",
            "kind": "upto",
            "options_text": "Ana",
            "max_choices": 3,
            "pass_percent": 50,
            "trustee_count": 3,
            "threshold": 5,
        },
    )
    assert response.status_code == 400
    assert b"Give between 2 and 20 options" in response.content
    assert b"Between 2 and the number of trustees" in response.content
    assert b'value="Seats"' in response.content


def test_it_shows_trustee_tokens_once_and_keeps_only_hashes(as_user, election):
    client = as_user("owner")
    response = client.post(reverse("elections:trustees", args=[election.pk]))
    assert response.status_code == 200
    trustee = Trustee.objects.get(election=election, index=1)
    assert trustee.token_hash.encode() not in response.content
    assert b"concerted election trustee init" in response.content
    again = client.post(reverse("elections:trustees", args=[election.pk]))
    assert again.status_code == 302 and Trustee.objects.count() == 3


def test_it_says_why_a_credential_list_is_refused(as_user, election):
    client = as_user("owner")
    response = client.post(reverse("elections:credentials", args=[election.pk]), {"publics": "not-a-credential"})
    assert response.status_code == 400
    assert b"is not a public credential" in response.content


def test_it_refuses_to_open_below_the_minimum_electorate(as_user, election):
    client = as_user("owner")
    response = client.post(reverse("elections:action", args=[election.pk]), {"action": "open"}, follow=True)
    assert b"Every trustee must finish the key ceremony first" in response.content
    election.refresh_from_db()
    assert election.status == Election.Status.SETUP


def test_it_votes_without_javascript_and_says_what_that_trusts(client, open_election):
    c = open_election
    url = reverse("elections:vote", args=[c.election.slug])
    page = client.get(url)
    assert b"this server will encrypt your ballot for you" in page.content
    assert page["Content-Security-Policy"].count("'wasm-unsafe-eval'") == 1
    assert b'<noscript><input type="hidden" name="no_script" value="1">' in page.content
    # With JavaScript off the browser parses <noscript> and so submits its flag.
    response = client.post(url, {"code": c.codes[0], "choice": "0", "ballot": "", "no_script": "1"})
    assert response.status_code == 302
    tracker = response["Location"].rstrip("/").split("/")[-1]
    assert Ballot.objects.get(tracker=tracker).credential == ev.credential_public(str(c.election.pk), c.codes[0])


def test_it_casts_nothing_when_javascript_had_not_loaded_the_encryption(client, open_election):
    c = open_election
    url = reverse("elections:vote", args=[c.election.slug])
    # JavaScript on (so no no_script flag) but the tap came before the scripts ran.
    response = client.post(url, {"code": c.codes[0], "choice": "1", "ballot": ""})
    assert response.status_code == 400
    assert not Ballot.objects.exists()
    html = response.content.decode()
    assert "Your ballot was not cast: this page had not finished loading the encryption" in html
    assert f'value="{c.codes[0]}"' in html  # the code is kept
    assert re.search(r'<input type="radio" name="choice" value="1"[^>]*checked', html)  # and the choice
    # The knowing way out is offered, not hidden, and not ticked for the voter.
    offer = re.search(r'<div id="server-encrypt-offer"( hidden)?>(.*?)</div>', html, re.S)
    assert offer and offer.group(1) is None
    assert "Let this server encrypt my ballot" in offer.group(2) and "checked" not in offer.group(2)


def test_it_hides_the_server_offer_on_a_fresh_page_and_with_javascript_off(client, open_election):
    c = open_election
    url = reverse("elections:vote", args=[c.election.slug])
    assert b'<div id="server-encrypt-offer" hidden>' in client.get(url).content
    response = client.post(url, {"code": "ABCDE", "choice": "0", "no_script": "1"})
    assert response.status_code == 400
    assert b'<div id="server-encrypt-offer" hidden>' in response.content
    assert b"had not finished loading" not in response.content


def test_it_casts_when_the_voter_lets_the_server_encrypt(client, open_election):
    c = open_election
    url = reverse("elections:vote", args=[c.election.slug])
    response = client.post(url, {"code": c.codes[3], "choice": "1", "ballot": "", "server_encrypt": "on"})
    assert response.status_code == 302
    tracker = response["Location"].rstrip("/").split("/")[-1]
    assert Ballot.objects.get(tracker=tracker).credential == ev.credential_public(str(c.election.pk), c.codes[3])
    # A bad code with the box ticked: a clear message, the box still ticked.
    response = client.post(url, {"code": "ABCDE", "choice": "1", "server_encrypt": "on"})
    assert response.status_code == 400 and b"That is not a voting code" in response.content
    assert re.search(rb'name="server_encrypt"[^>]*checked', response.content)
    assert Ballot.objects.count() == 1


def test_it_tells_the_voter_what_protects_the_ballot_not_a_name(client, open_election):
    """A ballot asks for no name; telling a voter "your name is sealed, the committee can
    open it" suggests the committee can tie them to their vote."""
    html = client.get(reverse("elections:vote", args=[open_election.election.slug])).content.decode()
    assert "doesn&#x27;t ask for your name" in html or "doesn't ask for your name" in html
    assert "encrypted on this phone" in html
    assert "Your name is sealed" not in html


def test_it_tells_the_voter_the_rule_the_motion_must_meet(client, open_election):
    html = client.get(reverse("elections:vote", args=[open_election.election.slug])).content.decode()
    assert "Passes if more than 66% of the votes cast are yes." in html


def test_it_renders_the_choices_as_a_fieldset_with_a_label_per_option(client, open_election):
    c = open_election
    html = client.get(reverse("elections:vote", args=[c.election.slug])).content.decode()
    fieldset = re.search(r"<fieldset[^>]*>(.*?)</fieldset>", html, re.S)
    assert fieldset, "the question is a fieldset"
    inner = fieldset.group(1)
    assert re.search(r"<legend><strong>Authorize a strike\?</strong>", inner)
    assert 'for=""' not in html
    for i, option in enumerate(["Yes", "No"]):
        # Each radio sits inside its own label, with that option's text right after it.
        assert re.search(
            rf'<label class="check" for="id_choice_{i}"><input type="radio" name="choice" value="{i}"[^>]*'
            rf'id="id_choice_{i}"[^>]*> <span>{option}</span></label>',
            inner,
        ), option
    assert inner.count("<label") == 2


def test_it_keeps_the_typed_code_on_a_refused_vote(client, open_election):
    c = open_election
    url = reverse("elections:vote", args=[c.election.slug])
    response = client.post(url, {"code": "ABCDE-FGHJK", "choice": "0"})
    assert response.status_code == 400
    assert b"That is not a voting code" in response.content and b"ABCDE-FGHJK" in response.content
    stranger = ev.new_credential_code()
    response = client.post(url, {"code": stranger, "choice": "1", "no_script": "1"})
    assert response.status_code == 400 and b"not valid for this election" in response.content
    response = client.post(url, {"ballot": "{not json"})
    assert response.status_code == 400 and b"could not be read" in response.content
    assert not Ballot.objects.exists()


def test_it_casts_a_ballot_made_elsewhere_as_json(client, open_election):
    c = open_election
    ballot, _ = ev.encrypt_ballot(c.election.manifest, c.codes[2], [[1, 0]])
    url = reverse("elections:cast_json", args=[c.election.slug])
    response = client.post(url, json.dumps(ballot), content_type="application/json")
    assert response.status_code == 200 and response.json()["tracker"] == ev.tracker(ballot)
    again = client.post(url, json.dumps(ballot), content_type="application/json", HTTP_ACCEPT="application/json")
    assert again.status_code == 400 and "copied" in again.json()["error"]
    page = client.post(url, "{", content_type="application/json")
    assert page.status_code == 400 and b'role="alert"' in page.content


def _odd_ballots(good: dict) -> list[str]:
    fields = {"election": good["election"], "credential": good["credential"], "signature": good["signature"]}
    return [
        "[" * 50_000 + "]" * 50_000,  # deeper than Python's parser goes
        '{"a":' * 20_000 + "1" + "}" * 20_000,
        "5",
        "null",
        json.dumps({**fields, "answers": 5}),
        json.dumps({**fields, "credential": 5, "answers": []}),
        json.dumps({**fields, "credential": [], "answers": good["answers"]}),
        json.dumps({**fields, "signature": {"x": 1}, "answers": good["answers"]}),
        json.dumps({**fields, "signature": None, "answers": good["answers"]}),
        json.dumps({**fields, "answers": [{"choices": 5, "sum_proof": None}]}),
        json.dumps({**fields, "answers": [{"choices": [{"alpha": 1, "beta": [], "proof": "x"}], "sum_proof": 1}]}),
        json.dumps({**fields, "answers": [{**a, "sum_proof": "zz"} for a in good["answers"]]}),
        json.dumps(
            {
                **fields,
                "answers": [{**a, "choices": [{**c, "proof": [1, 2]} for c in a["choices"]]} for a in good["answers"]],
            }
        ),
        json.dumps(
            {
                **fields,
                "answers": [{**a, "choices": [{**c, "alpha": "zz"} for c in a["choices"]]} for a in good["answers"]],
            }
        ),
    ]


def test_it_refuses_a_malformed_ballot_with_a_400_never_a_500(client, open_election):
    c = open_election
    good, _ = ev.encrypt_ballot(c.election.manifest, c.codes[3], [[1, 0]])
    url = reverse("elections:cast_json", args=[c.election.slug])
    for raw in _odd_ballots(good):
        response = client.post(url, raw, content_type="application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == 400, raw[:200]
        assert response.json()["error"], raw[:200]
    form = client.post(reverse("elections:vote", args=[c.election.slug]), {"ballot": _odd_ballots(good)[0]})
    assert form.status_code == 400 and b"could not be read" in form.content
    assert not Ballot.objects.exists()


def test_it_hides_an_election_being_set_up(client, election):
    assert client.get(reverse("elections:vote", args=[election.slug])).status_code == 404
    assert client.get(reverse("elections:board", args=[election.slug])).status_code == 404


def test_it_shows_the_result_and_the_unions_threshold_on_the_board(client, open_election):
    from .conftest import decrypt_and_tally

    c = open_election
    for i in range(10):
        ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0] if i < 7 else [0, 1]])[0])
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    response = client.get(reverse("elections:board", args=[c.election.slug]))
    assert response.status_code == 200
    assert b"<strong>Passed.</strong> Passes if more than 66% of the votes cast are yes." in response.content
    assert b"Batch 1" in response.content


def test_it_refuses_the_trustee_api_without_a_token(client, election):
    url = reverse("elections:trustee_api", args=[election.pk, "roster"])
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Trustee wrong").status_code == 404


def test_it_never_makes_a_trustee_token_that_reads_as_an_option(election, monkeypatch):
    """`concerted election trustee init --token TOKEN`: a token starting with "-" was
    taken for an option by argparse (about one ceremony in 20 failed)."""
    made = iter(["-starts-with-a-dash", "_fine"])
    monkeypatch.setattr("concerted.elections.models.secrets.token_urlsafe", lambda n: next(made))
    _trustee, token = Trustee.create(election, 1, "T1")
    assert token == "_fine"


def _in(language: str, name: str, slug: str) -> str:
    with translation.override(language):
        return reverse(name, args=[slug])


def test_it_marks_the_campaigns_own_text_with_its_language_on_a_page_in_another(client, open_election):
    """The title and question are the campaign's text (English here), not translated:
    on a Spanish page they carry lang="en" so a screen reader reads them in an English
    voice; yes and no are the page's own words and are not marked."""
    slug = open_election.election.slug
    html = client.get(_in("es", "elections:vote", slug)).content.decode()
    assert '<h1 lang="en">Strike authorization</h1>' in html
    assert '<legend><strong lang="en">Authorize a strike?</strong>' in html
    spans = re.findall(r'<label class="check"[^>]*><input[^>]*> <span([^>]*)>([^<]*)</span>', html)
    with translation.override("es"):
        assert [text for _attrs, text in spans] == [translation.gettext("Yes"), translation.gettext("No")]
    assert all(attrs == "" for attrs, _text in spans), spans
    # On an English page the text is in the page's language: nothing to mark.
    english = client.get(_in("en", "elections:vote", slug)).content.decode()
    assert "<h1>Strike authorization</h1>" in english and "<legend><strong>Authorize a strike?</strong>" in english


def test_it_marks_the_options_and_the_board_with_the_campaigns_language(client, seats):
    election = seats
    election.status, election.tally = Election.Status.TALLIED, {"result": [[3, 1, 2]]}
    election.save()
    board = client.get(_in("es", "elections:board", election.slug)).content.decode()
    assert '<span lang="en">Stewards</span>' in board.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert '<span lang="en">Who should be stewards?</span>' in board
    assert all(f'<td lang="en">{name}</td>' in board for name in ("Ana", "Bo", "Cy"))
    Election.objects.filter(pk=election.pk).update(status=Election.Status.OPEN)
    vote = client.get(_in("es", "elections:vote", election.slug)).content.decode()
    assert all(f'<span lang="en">{name}</span>' in vote for name in ("Ana", "Bo", "Cy"))
    english = client.get(_in("en", "elections:board", election.slug)).content.decode()
    assert "<td>Ana</td>" in english and '<span lang="en">' not in english


def test_a_page_in_another_language_says_the_question_stays_as_written(client, open_election):
    """As a pledge or survey page does when its text has no version in the page's
    language: the coworker reading Spanish is told why the question is in English."""
    slug = open_election.election.slug
    spanish = client.get(_in("es", "elections:vote", slug)).content.decode()
    with translation.override("es"):
        note = translation.gettext("The question and its choices are in %(main)s, as the committee wrote them.")
    assert note % {"main": "inglés"} in spanish
    english = client.get(_in("en", "elections:vote", slug)).content.decode()
    assert "translation-note" not in english

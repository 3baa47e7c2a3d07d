"""What a fresh-eyes pass found running a Spanish strike vote (2026-12-02): closing asks
first, the election's text has its own language, the trustee tool asks for its own
language, refused ballots say why plainly, decimal commas, the tracker page and the
board's search after the close, duplicate and bidi options, the campaign overview's
count, and the heading after encrypting."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from concerted.campaigns.views import campaign_has_records
from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.management.commands.election import Http
from concerted.elections.models import Election, Trustee

pytestmark = pytest.mark.django_db


def _ballot(c, i: int, yes: bool) -> dict:
    return ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0] if yes else [0, 1]])[0]


def _in(language: str, name: str, *args: object) -> str:
    with translation.override(language):
        return reverse(name, args=list(args))


def _form(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Huelga",
        "question": "¿Autorizas la huelga?",
        "kind": "yesno",
        "pass_rule": "majority",
        "trustee_count": 3,
        "threshold": 2,
    }
    data.update(fields)
    return data


def _errors(page: str) -> str:
    return html.unescape(page)


# --- 4. closing asks first -----------------------------------------------------------------


def test_it_asks_before_closing_and_says_what_closing_means_with_the_counts(as_user, open_election):
    c = open_election
    for i in range(3):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    client = as_user("owner")
    url = reverse("elections:action", args=[c.election.pk])
    asked = client.post(url, {"action": "close"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Close voting?" in page
    assert "So far: 3 ballots cast (revotes included), with 10 eligible voters." in page
    assert "The 3 ballots waiting are published now, in a last batch" in page
    assert "voting can&#x27;t be opened again" in page
    # A plain form (no JavaScript needed) carrying the action, and a way back.
    assert '<input type="hidden" name="action" value="close">' in page
    assert 'name="confirm" value="yes"' in page and reverse("elections:dashboard", args=[c.election.pk]) in page
    c.election.refresh_from_db()
    assert c.election.status == Election.Status.OPEN and ballotbox.pending_count(c.election) == 3
    done = client.post(url, {"action": "close", "confirm": "yes"}, follow=True)
    # Closed; with 3 counted ballots no tally can come of it, and the dashboard says so now.
    assert b"Voting is closed." in done.content
    assert (
        b"This vote ended without a result.</strong> Only 3 ballots are counted, fewer than the 5 needed"
        in done.content
    )
    assert b"The trustees can now decrypt" not in done.content
    c.election.refresh_from_db()
    assert c.election.status == Election.Status.CLOSED


def test_it_says_the_trustees_can_decrypt_once_enough_ballots_are_counted(as_user, open_election):
    c = open_election
    for i in range(5):
        ballotbox.cast(c.election, _ballot(c, i, yes=i % 2 == 0))
    url = reverse("elections:action", args=[c.election.pk])
    done = as_user("owner").post(url, {"action": "close", "confirm": "yes"}, follow=True)
    assert b"Voting is closed. The trustees can now decrypt the sums." in done.content
    assert b"fewer than the 5 needed" not in done.content


def test_it_refuses_a_close_that_cant_happen_without_asking_first(as_user, ceremony):
    client = as_user("owner")
    answer = client.post(reverse("elections:action", args=[ceremony.election.pk]), {"action": "close"}, follow=True)
    assert b"Close voting?" not in answer.content and b"The election is not open." in answer.content


# --- 5. the election's own language --------------------------------------------------------


def test_it_lets_the_committee_say_which_language_the_election_is_written_in(client, as_user, campaign):
    assert campaign.language == "en"
    organizer = as_user("owner")
    new = organizer.get(reverse("elections:new", args=[campaign.pk])).content.decode()
    assert re.search(r'<option value="en" selected>', new), "starts in the campaign's language"
    assert organizer.post(reverse("elections:new", args=[campaign.pk]), _form(language="es")).status_code == 302
    election = Election.objects.get(title="Huelga")
    assert election.language == "es" and election.content_language == "es"
    Election.objects.filter(pk=election.pk).update(status=Election.Status.OPEN)
    # On a Spanish page the Spanish text needs no mark and no note ...
    spanish = client.get(_in("es", "elections:vote", election.slug)).content.decode()
    assert "<h1>Huelga</h1>" in spanish and "translation-note" not in spanish
    assert "inglés" not in spanish
    # ... on an English page it is marked Spanish, and both pages say so.
    for name in ("elections:vote", "elections:board"):
        english = client.get(_in("en", name, election.slug)).content.decode()
        assert 'lang="es">Huelga<' in english and 'lang="es">¿Autorizas la huelga?<' in english, name
        assert "The question and its choices are in Spanish, as the committee wrote them." in english, name


def test_an_election_made_without_a_language_is_in_the_campaigns(election):
    assert election.language == "" and election.content_language == election.campaign.language


# --- 7a. the trustee tool asks for its own language ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_trustee_tool_gets_the_servers_refusals_in_its_own_language(live_server, election):
    _trustee, token = Trustee.create(election, 1, "T1")
    http = Http(live_server.url, token)
    with translation.override("es"), pytest.raises(CommandError) as refused:
        http.call(f"/o/elections/api/{election.pk}/box", {"box_public": "zz"})
    assert str(refused.value) == "El servidor lo ha rechazado: No es una clave pública de urna. (HTTP 400)"


# --- 7c. a refused ballot says why, plainly --------------------------------------------------


def _post_json(client: Client, election: Election, ballot: object):
    return client.post(
        reverse("elections:cast_json", args=[election.slug]),
        json.dumps(ballot),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def test_it_says_plainly_why_a_ballot_was_refused(client, open_election):
    c = open_election
    damaged = {**_ballot(c, 0, yes=True), "extra": 1}
    error = _post_json(client, c.election, damaged).json()["error"]
    assert error.startswith("The encrypted ballot arrived incomplete or damaged.") and "malformed" not in error
    elsewhere = {**_ballot(c, 0, yes=True), "election": "0" * 64}
    error = _post_json(client, c.election, elsewhere).json()["error"]
    assert "made for another election, or on an outdated page" in error and "ballot is for" not in error
    forged = _ballot(c, 0, yes=True)
    forged["signature"] = _ballot(c, 1, yes=True)["signature"]
    assert "signature does not match its voting code" in _post_json(client, c.election, forged).json()["error"]


def test_a_refused_ballot_keeps_the_code_and_the_choice_on_the_form(client, open_election):
    c = open_election
    damaged = {**_ballot(c, 0, yes=True), "extra": 1}
    answer = client.post(
        reverse("elections:vote", args=[c.election.slug]),
        {"ballot": json.dumps(damaged), "code": c.codes[0], "choice": "1"},
    )
    page = answer.content.decode()
    assert answer.status_code == 400 and "arrived incomplete or damaged" in page
    assert f'value="{c.codes[0]}"' in page
    assert re.search(r'<input type="radio" name="choice" value="1"[^>]*checked', page), page


# --- 8. a decimal comma ------------------------------------------------------------------------


def test_it_takes_the_pages_decimal_comma_and_shows_its_example_that_way(as_user, campaign):
    client = as_user("owner")
    spanish_url = _in("es", "elections:new", campaign.pk)
    answer = client.post(spanish_url, _form(pass_rule="atleast", pass_percent="66,5"))
    assert answer.status_code == 302, _errors(answer.content.decode())
    assert str(Election.objects.get().pass_percent) == "66.5"
    form = client.get(spanish_url).content.decode()
    assert "66,5" in form and "66.5" not in form
    # A text box that takes a comma (a number box refuses it in some browsers), with the
    # phone's number keyboard.
    field = re.search(r'<input[^>]*name="pass_percent"[^>]*>', form)
    assert field and 'inputmode="decimal"' in field.group(0) and 'type="text"' in field.group(0)


def test_an_english_page_refuses_a_comma_clearly_and_keeps_it(as_user, campaign):
    client = as_user("owner")
    answer = client.post(_in("en", "elections:new", campaign.pk), _form(pass_rule="atleast", pass_percent="66,5"))
    page = _errors(answer.content.decode())
    assert answer.status_code == 400 and "Give the percentage as a number, e.g. 60 or 66.5." in page
    assert 'value="66,5"' in page


# --- 9. the tracker page and the search after the close -------------------------------------------


def _tracker_page(client: Client, election: Election, tracker: str) -> str:
    return client.get(reverse("elections:tracker", args=[election.slug, tracker])).content.decode()


def _search(client: Client, election: Election, typed: str) -> tuple[str, str]:
    page = client.get(reverse("elections:board", args=[election.slug]), {"tracker": typed}).content.decode()
    found = re.search(r'<p role="status" id="find-result"[^>]*>(.*?)</p>', page, re.S)
    assert found, page
    return html.unescape(found.group(1)), page


def _revoted(c) -> tuple[str, str]:
    """Two ballots of one voting code in one batch: the first replaced, the last counted."""
    first = ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    for i in range(1, 5):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    last = ballotbox.cast(c.election, _ballot(c, 0, yes=False))
    ballotbox.release_batch(c.election)
    return first, last


def test_before_the_close_a_replaced_and_a_counted_ballot_read_the_same(client, open_election):
    c = open_election
    first, last = _revoted(c)
    replaced, counted = _tracker_page(client, c.election, first), _tracker_page(client, c.election, last)
    # Secrecy: before the close, nothing tells that this code voted again.
    assert replaced.replace(first, "T") == counted.replace(last, "T")
    assert "Voting again with your code replaces this ballot" in counted and "is counted:" not in counted
    assert _search(client, c.election, first)[0].replace(first, "T") == _search(client, c.election, last)[0].replace(
        last, "T"
    )


def test_after_the_close_it_says_counted_replaced_or_not_cast(client, open_election):
    c = open_election
    first, last = _revoted(c)
    ballotbox.close(c.election)
    counted = _tracker_page(client, c.election, last)
    assert "This ballot is counted: voting is closed" in counted
    assert "Voting again with your code" not in counted and "not counted" not in counted
    replaced = _tracker_page(client, c.election, first)
    assert "it is not counted" in replaced and "Voting again with your code" not in replaced
    assert "Only the last ballot cast with this voting code is counted" in replaced
    assert "It is counted." in _search(client, c.election, last)[0]
    assert "It is counted." not in _search(client, c.election, first)[0]
    # A well-formed tracker that is not there: after the close it was never cast, no "(yet)".
    absent = "ab" * 32
    result = _search(client, c.election, absent)[0]
    assert "voting is closed and every ballot cast is on it" in result and "(yet)" not in result
    unknown = client.get(reverse("elections:tracker", args=[c.election.slug, absent]))
    assert unknown.status_code == 404
    assert "no ballot with this tracker was cast in this election" in unknown.content.decode()


# --- 10. a short tracker ------------------------------------------------------------------


def test_the_search_says_a_tracker_is_64_characters_and_keeps_what_was_typed(client, open_election):
    c = open_election
    first, _last = _revoted(c)
    result, page = _search(client, c.election, first[:8].upper())
    assert "A tracker is 64 characters long" in result and "has 8 characters" in result
    assert "Not on the board" not in result
    assert f'value="{first[:8].upper()}"' in page and 'aria-invalid="true"' in page
    board = reverse("elections:board", args=[c.election.slug])
    assert client.get(board, {"tracker": first[:8]}).status_code == 400  # like every form with an error
    assert client.get(board, {"tracker": first}).status_code == 200
    result, _page = _search(client, c.election, "g" * 64)
    assert "only digits 0–9 and letters a–f" in result
    # A whole tracker still finds, whatever its capitals or a line break in the copy.
    assert "Found in batch 1" in _search(client, c.election, first[:32].upper() + "\n" + first[32:])[0]


# --- 11a/b. options and text a voter can't tell apart ---------------------------------------------


@pytest.mark.parametrize("options", ["Ana\nana \nBo", "Ana\nＡｎａ\nBo", "Ana\nA\u200bna\nBo"])
def test_it_refuses_options_that_differ_only_in_case_spaces_or_encoding(as_user, campaign, options):
    client = as_user("owner")
    answer = client.post(
        reverse("elections:new", args=[campaign.pk]), _form(kind="one", options_text=options, title="Oficiales")
    )
    page = _errors(answer.content.decode())
    assert answer.status_code == 400 and "are the same option to a voter" in page
    assert "Oficiales" in page and not Election.objects.exists()


@pytest.mark.parametrize("field", ["question", "options_text", "title"])
def test_it_refuses_direction_controls_in_the_elections_text(as_user, campaign, field):
    client = as_user("owner")
    text = {"question": "¿Autorizas la\u202e huelga?", "options_text": "Ana\n\u2066Bo\u2069", "title": "Huel\u202ega"}
    data = _form(**{"kind": "one", "options_text": "Ana\nBo", field: text[field]})
    answer = client.post(reverse("elections:new", args=[campaign.pk]), data)
    assert answer.status_code == 400 and "invisible direction controls" in _errors(answer.content.decode())
    assert not Election.objects.exists()


# --- 11d. the campaign overview's count ---------------------------------------------------------


def test_the_campaign_page_counts_the_ballots_on_the_board(as_user, open_election):
    c = open_election
    for i in range(6):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    ballotbox.release_batch(c.election)
    ballotbox.cast(c.election, _ballot(c, 6, yes=True))  # waiting: not public yet, not counted here
    page = as_user("owner").get(reverse("campaigns:detail", args=[c.election.campaign_id])).content.decode()
    row = re.search(r"<tr><td>Secret ballot</td>.*?</tr>", page, re.S)
    assert row and row.group(0).endswith("<td>6</td></tr>"), row
    # Still no sealed records: the campaign's key can change.
    assert not campaign_has_records(c.election.campaign)


# --- 11e. the heading once the ballot is encrypted -----------------------------------------------


def test_the_heading_after_encrypting_says_it_is_done(client, open_election):
    page = client.get(reverse("elections:vote", args=[open_election.election.slug])).content.decode()
    assert '<h2 tabindex="-1">Your ballot has been encrypted on this phone</h2>' in page

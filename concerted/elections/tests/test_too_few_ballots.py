"""A vote that closes with fewer counted ballots than a tally needs (ballotbox.min_counted):
the close page says so beforehand when it is already certain, and afterwards every page
says the vote ended without a result instead of waiting for the trustees forever. The
close page also leaves out the last batch when nothing waits."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.elections import ballotbox
from concerted.elections.models import Election

from .conftest import decrypt_and_tally
from .test_spanish_vote_findings import _ballot, _search, _tracker_page

pytestmark = pytest.mark.django_db

NO_RESULT_BOARD = "Voting closed with too few ballots to count them secretly: no result will be published."
NO_TALLY = "Voting closed with too few ballots to count them secretly: this ballot stays on the board, but no tally"


def _ask_to_close(client: Client, election: Election) -> str:
    asked = client.post(reverse("elections:action", args=[election.pk]), {"action": "close"})
    assert asked.status_code == 200
    return html.unescape(asked.content.decode())


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- 1. the close page warns when no tally can come of it --------------------------------------


def test_it_warns_before_closing_when_too_few_ballots_were_cast_to_count(as_user, open_election):
    c = open_election
    for i in range(3):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    page = _ask_to_close(as_user("owner"), c.election)
    assert (
        "Only 3 ballots were cast, so at most 3 can be counted: fewer than the 5 a tally needs, so this vote "
        "can't be counted secretly. Closing ends it without a result." in page
    )
    # No promise of a tally; closing a failed vote stays possible.
    assert "the trustees can decrypt the sums" not in page
    assert 'name="confirm" value="yes"' in page


def test_it_warns_in_the_singular_and_with_no_ballot_at_all(as_user, open_election):
    c = open_election
    client = as_user("owner")
    none = _ask_to_close(client, c.election)
    assert "No ballot has been cast: a tally needs at least 5 counted ballots" in none
    assert "Closing ends it without a result." in none
    ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    one = _ask_to_close(client, c.election)
    assert "Only 1 ballot was cast, so at most 1 can be counted: fewer than the 5 a tally needs" in one


def test_it_doesnt_warn_with_enough_ballots_cast(as_user, open_election):
    c = open_election
    for i in range(5):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    page = _ask_to_close(as_user("owner"), c.election)
    assert "Closing ends it without a result" not in page
    assert "the trustees can decrypt the sums for the tally" in page


def test_it_doesnt_tell_before_the_close_that_a_code_voted_again(as_user, open_election):
    c = open_election
    # 5 ballots from 4 codes: 4 will be counted, but before the close nobody may learn
    # that a code voted again (coercion resistance), so the page reads as for 5 codes.
    ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    for i in range(4):
        ballotbox.cast(c.election, _ballot(c, i, yes=False))
    page = _ask_to_close(as_user("owner"), c.election)
    assert "So far: 5 ballots cast (revotes included)" in page
    assert "Closing ends it without a result" not in page and "at most" not in page


# --- 2. after the close: no waiting for the trustees -------------------------------------------


def _closed_with_too_few(c) -> tuple[str, str]:
    """Five ballots cast, but one code voted twice: four counted, one fewer than needed."""
    first = ballotbox.cast(c.election, _ballot(c, 0, yes=True))
    for i in range(1, 4):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    last = ballotbox.cast(c.election, _ballot(c, 0, yes=False))
    ballotbox.close(c.election)
    c.election.refresh_from_db()
    return first, last


def test_the_dashboard_says_the_vote_ended_without_a_result_and_why(as_user, open_election):
    c = open_election
    _closed_with_too_few(c)
    assert c.election.status == Election.Status.CLOSED and c.election.ended_without_result()
    client = as_user("owner")
    page = html.unescape(client.get(reverse("elections:dashboard", args=[c.election.pk])).content.decode())
    assert "<strong>Closed without a result</strong>" in page
    assert "waiting for the trustees" not in page
    assert "This vote ended without a result." in page
    assert "Only 4 ballots are counted, fewer than the 5 needed to count a vote secretly" in page
    assert "run it again as a new election" in page
    assert "Publish the tally" not in page and 'value="tally"' not in page
    # Cards can't be used any more: neither the command that makes them nor the forms.
    assert "concerted election credentials" not in page
    assert reverse("elections:credentials", args=[c.election.pk]) not in page
    assert reverse("elections:revoke", args=[c.election.pk]) not in page
    # The campaign's overview names the same state.
    overview = client.get(reverse("campaigns:detail", args=[c.election.campaign_id])).content.decode()
    assert "Closed without a result" in overview and "waiting for the trustees" not in overview


def test_closing_says_why_once_on_the_dashboard(as_user, open_election):
    c = open_election
    for i in range(2):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    url = reverse("elections:action", args=[c.election.pk])
    done = html.unescape(
        as_user("owner").post(url, {"action": "close", "confirm": "yes"}, follow=True).content.decode()
    )
    assert "Voting is closed." in done and "This vote ended without a result." in done
    # The message and the dashboard's note don't say the same paragraph twice.
    assert done.count("Only 2 ballots are counted, fewer than the 5 needed") == 1
    assert "The trustees can now decrypt" not in done


def test_the_board_and_the_tracker_pages_say_no_result_will_come(client, open_election):
    c = open_election
    first, last = _closed_with_too_few(c)
    board = html.unescape(client.get(reverse("elections:board", args=[c.election.slug])).content.decode())
    assert NO_RESULT_BOARD in board
    assert "Closed without a result" in board and "waiting for the trustees" not in board
    found, _page = _search(client, c.election, last)
    assert found.startswith("Found in batch 1") and NO_TALLY in _text(found)
    assert "It is counted." not in found
    counted = _text(_tracker_page(client, c.election, last))
    assert NO_TALLY in counted and "This ballot is counted" not in counted
    # A replaced ballot still says why it is left out.
    replaced = _text(_tracker_page(client, c.election, first))
    assert "it is not counted" in replaced and NO_TALLY not in replaced


def test_a_vote_with_enough_ballots_still_waits_for_the_trustees(as_user, client, open_election):
    c = open_election
    for i in range(5):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    last = ballotbox.cast(c.election, _ballot(c, 5, yes=True))
    ballotbox.close(c.election)
    c.election.refresh_from_db()
    assert not c.election.ended_without_result()
    page = html.unescape(as_user("owner").get(reverse("elections:dashboard", args=[c.election.pk])).content.decode())
    assert "Closed: waiting for the trustees" in page and "Publish the tally" in page
    assert "ended without a result" not in page
    board = html.unescape(client.get(reverse("elections:board", args=[c.election.slug])).content.decode())
    assert "Closed: waiting for the trustees" in board and NO_RESULT_BOARD not in board
    assert "It is counted." in _search(client, c.election, last)[0]
    decrypt_and_tally(c)
    c.election.refresh_from_db()
    assert c.election.get_status_display() == "Tallied" and not c.election.ended_without_result()


# --- 3. no last batch to speak of when nothing waits -------------------------------------------


def test_the_close_page_leaves_out_the_last_batch_when_nothing_waits(as_user, open_election):
    c = open_election
    for i in range(5):
        ballotbox.cast(c.election, _ballot(c, i, yes=True))
    ballotbox.release_batch(c.election)
    assert ballotbox.pending_count(c.election) == 0
    page = _ask_to_close(as_user("owner"), c.election)
    assert "So far: 5 ballots cast (revotes included)" in page
    assert "waiting" not in page and "last batch" not in page

"""The vote page in a phone's browser, where a fresh-eyes pass found it unsafe: a choice
changed after "Encrypt my ballot" was cast as the OLD encrypted ballot; a spoiled
ballot could still be cast; a refused cast wiped the code and the choice; Back showed
the choice still ticked; and the safety box said "encrypted on this phone" with
JavaScript off, where the server encrypts."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import Ballot, Election
from concerted.elections.tests.conftest import decrypt_and_tally

from .conftest import _page, assert_fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def js_phone(browser, live_server):
    context, page = _page(browser, live_server, javascript=True, viewport=PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def encrypt(page, code: str, option: str) -> str:
    page.get_by_label("Your voting code").fill(code)
    page.get_by_label(option, exact=True).check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    tracker = page.locator("#pending-tracker")
    expect(tracker).to_have_text(HEX64, timeout=20000)
    return tracker.inner_text()


def test_changing_the_choice_after_encrypting_throws_the_encrypted_ballot_away(js_phone, vote_open):
    c = vote_open
    page = js_phone
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    yes_tracker = encrypt(page, c.codes[0], "Yes")
    # Encrypted: the Encrypt button is gone (the hidden attribute now hides a button too).
    expect(page.get_by_role("button", name="Encrypt my ballot")).to_be_hidden()
    expect(page.get_by_role("button", name="Cast this ballot")).to_be_visible()

    page.get_by_label("No", exact=True).check()
    # The Yes ballot is thrown away: nothing to cast until the voter encrypts again.
    expect(page.get_by_role("button", name="Cast this ballot")).to_be_hidden()
    expect(page.locator("#pending-tracker")).to_have_text("")
    expect(page.get_by_role("button", name="Encrypt my ballot")).to_be_visible()
    expect(page.locator("#vote-status")).to_have_text(re.compile("You changed your ballot.*Encrypt my ballot.* again"))
    assert page.locator("#vote-status").get_attribute("role") == "status"
    assert_fits_phone(page)

    # The same with the code: a typed character throws away the next encryption too.
    encrypt(page, c.codes[0], "No")
    page.get_by_label("Your voting code").press("End")
    page.get_by_label("Your voting code").type(" ")
    expect(page.get_by_role("button", name="Cast this ballot")).to_be_hidden()

    no_tracker = encrypt(page, c.codes[0], "No")
    assert no_tracker != yes_tracker
    page.get_by_role("button", name="Cast this ballot").click()
    expect(page.locator("#tracker")).to_have_text(no_tracker, timeout=20000)
    assert list(Ballot.objects.values_list("tracker", flat=True)) == [no_tracker]
    assert not page.errors, page.errors  # type: ignore[attr-defined]

    # What was counted is No (four others vote Yes: a tally counts no fewer than five ballots).
    for i in range(1, 5):
        ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[i], [[1, 0]])[0])
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    assert Election.objects.get(pk=c.election.pk).tally["result"] == [[4, 1]]


def test_a_spoiled_ballot_is_told_to_the_server_and_can_never_be_cast(js_phone, vote_open):
    c = vote_open
    page = js_phone
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    encrypt(page, c.codes[1], "Yes")
    page.get_by_role("button", name="Check this encryption instead (spoils it)").click()
    expect(page.locator("#audit-result")).to_contain_text("holds exactly: Yes")
    audit = json.loads(page.locator("#audit-json").input_value())
    # The server was told before the secrets showed, and only the ballot: no randomness, code or choice.
    assert len(posted) == 1 and json.loads(posted[0]) == audit["ballot"]
    with pytest.raises(ballotbox.Refused, match="opened for checking"):
        ballotbox.cast(c.election, audit["ballot"])
    answer = page.request.post(
        f"{page.live_url}/e/{c.election.slug}/cast.json",
        data=json.dumps(audit["ballot"]),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert answer.status == 400 and "opened for checking" in answer.json()["error"]
    assert not Ballot.objects.exists()
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_a_refused_cast_keeps_the_code_and_the_choice(js_phone, vote_open):
    c = vote_open
    page = js_phone
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    encrypt(page, c.codes[2], "No")
    # The card is reported lost (and replaced) while the voter looks at the tracker.
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), ev.new_credential_code())])
    ballotbox.revoke_credential(c.election, ev.credential_public(str(c.election.pk), c.codes[2]))
    page.get_by_role("button", name="Cast this ballot").click()
    alert = page.locator(".error-box.js")
    expect(alert).to_contain_text("Your ballot was not cast: This voting code is not valid for this election.")
    expect(alert).to_be_focused()
    expect(page.get_by_label("Your voting code")).to_have_value(c.codes[2])
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_role("button", name="Encrypt my ballot")).to_be_visible()
    assert not Ballot.objects.exists()

    # Voting closes before the next try: said so, and still nothing lost.
    ballotbox.add_credentials(c.election, [ev.credential_public(str(c.election.pk), ev.new_credential_code())])
    encrypt(page, c.codes[3], "Yes")
    ballotbox.close(c.election)
    page.get_by_role("button", name="Cast this ballot").click()
    expect(alert).to_have_text("Voting is closed: your ballot was not cast.")
    expect(page.get_by_label("Your voting code")).to_have_value(c.codes[3])
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    assert not page.errors, page.errors  # type: ignore[attr-defined]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_back_after_voting_shows_neither_the_choice_nor_the_code(browser, live_server, vote_open, javascript):
    c = vote_open
    context, page = _page(browser, live_server, javascript=javascript, viewport=PHONE)
    try:
        page.goto(f"{page.live_url}/e/{c.election.slug}/")
        if javascript:
            encrypt(page, c.codes[4], "No")
            page.get_by_role("button", name="Cast this ballot").click()
        else:
            page.get_by_label("Your voting code").fill(c.codes[4])
            page.get_by_label("No", exact=True).check()
            page.get_by_role("button", name="Encrypt my ballot").click()
        expect(page.locator("#tracker")).to_have_text(HEX64, timeout=20000)
        page.go_back()
        page.wait_for_load_state("load")
        expect(page.get_by_label("Your voting code")).to_have_value("")
        expect(page.get_by_label("Yes", exact=True)).not_to_be_checked()
        expect(page.get_by_label("No", exact=True)).not_to_be_checked()
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_safety_box_says_who_encrypts(browser, live_server, vote_open, javascript):
    context, page = _page(browser, live_server, javascript=javascript, viewport=PHONE)
    try:
        page.goto(f"{page.live_url}/e/{vote_open.election.slug}/")
        box = page.locator("aside.safety")
        if javascript:
            # Shown once vote.js runs (what is on screen: innerText, not the hidden markup).
            expect(box).to_contain_text("Your choice is encrypted on this phone before it is sent", use_inner_text=True)
        text = box.inner_text()
        assert "doesn't ask for your name" in text and "stamped with the day only" in text
        if javascript:
            assert "encrypted on this phone" in text and "JavaScript is off" not in text
        else:
            assert "JavaScript is off, so this server encrypts your choice as it arrives" in text
            assert "encrypted on this phone" not in text
    finally:
        context.close()


def test_a_cast_whose_answer_was_lost_is_cast_once_and_found_on_the_retry(js_phone, vote_open):
    """The ballot reached the server but the phone never heard back (a dropped answer):
    the voter taps Cast again, as the page asks, and lands on their tracker, not on
    "a copied ballot is refused"; one ballot is stored."""
    c = vote_open
    page = js_phone
    lost = {"n": 0}

    def drop_the_first_answer(route):  # type: ignore[no-untyped-def]
        if lost["n"] == 0:
            lost["n"] += 1
            route.fetch()  # the server gets the ballot and stores it...
            route.abort()  # ...and its answer never reaches the phone
        else:
            route.continue_()

    page.route("**/cast.json", drop_the_first_answer)
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    tracker = encrypt(page, c.codes[0], "Yes")
    page.get_by_role("button", name="Cast this ballot").click()
    expect(page.locator(".error-box")).to_contain_text("can't tell whether your ballot was cast")
    assert Ballot.objects.count() == 1
    page.get_by_role("button", name="Cast this ballot").click()
    page.wait_for_url(re.compile(f"/t/{tracker}/"))
    assert Ballot.objects.count() == 1
    assert not page.errors  # type: ignore[attr-defined]

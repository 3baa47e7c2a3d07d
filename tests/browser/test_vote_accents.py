"""A ballot made in the browser for an election whose words aren't ASCII (a Spanish or
German committee's title, question and answers) is accepted: the phone's fingerprint of
the manifest is the server's, byte for byte, so the proofs it makes check out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev
from concerted.elections.models import Ballot, Election
from concerted.elections.tests.conftest import run_ceremony

from .conftest import _page, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture
def accented_vote(campaign):  # type: ignore[no-untyped-def]
    election = Election.objects.create(
        campaign=campaign,
        title="Autorización de huelga — Straße 5 😀",
        question="¿Autorizas una huelga en la sede de Zürich?",
        trustee_count=3,
        threshold=2,
    )
    c = run_ceremony(election)
    ballotbox.open_voting(election)
    election.refresh_from_db()
    return c


def test_it_casts_a_browser_ballot_for_an_election_written_in_spanish(browser, live_server, accented_vote):
    c = accented_vote
    assert re.search(r"[^\x00-\x7f]", ev.canon(c.election.manifest).decode("utf-8")) is None, "sanity: Python escapes"
    context, page = _page(browser, live_server, javascript=True, viewport={"width": 390, "height": 844})
    try:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{page.live_url}/e/{c.election.slug}/")
        page.get_by_label("Your voting code").fill(c.codes[0])
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Encrypt my ballot").click()
        expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
        tracker = page.locator("#pending-tracker").inner_text()
        page.get_by_role("button", name="Cast this ballot").click()
        expect(page.locator("#tracker")).to_have_text(tracker, timeout=20000)
        assert Ballot.objects.filter(tracker=tracker).exists()
        assert not errors, errors
        assert_stayed_local(page)
    finally:
        context.close()

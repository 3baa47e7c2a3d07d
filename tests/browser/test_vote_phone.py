"""Issue 18: a member votes on a phone. The ballot is encrypted in the phone's browser
(libsodium sumo, served by the app); the member spoils one encryption to check it
(Benaloh challenge), casts a fresh one, and finds the tracker on the board after the
next batch. The browser-made ballot then verifies in the standalone verifier."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from concerted.elections import ballotbox, verifier
from concerted.elections import evcrypto as ev
from concerted.elections.models import Ballot, Election
from concerted.elections.tests.conftest import decrypt_and_tally

from .conftest import _page, assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
VECTORS = json.loads((Path(ev.__file__).parent / "tests" / "rfc9496_vectors.json").read_text())


@pytest.fixture
def js_phone(browser, live_server):
    context, page = _page(browser, live_server, javascript=True, viewport={"width": 390, "height": 844})
    yield page
    context.close()


def test_it_votes_on_a_phone_with_a_benaloh_challenge(js_phone, vote_open, tmp_path):
    c = vote_open
    page = js_phone
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    page.get_by_label("Your voting code").fill(c.codes[0].lower().replace("-", " "))
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    tracker_el = page.locator("#pending-tracker")
    expect(tracker_el).to_have_text(HEX64, timeout=20000)
    spoiled_tracker = tracker_el.inner_text()

    # Benaloh challenge: spoil this encryption and check it.
    page.get_by_role("button", name="Check this encryption instead (spoils it)").click()
    expect(page.locator("#audit-result")).to_contain_text("holds exactly: Yes")
    audit = json.loads(page.locator("#audit-json").input_value())
    # Checked again outside the browser, by the Python code (as `concerted election audit` does).
    assert ev.verify_ballot(audit["manifest"], audit["ballot"]) is None
    assert ev.audit_spoiled(audit["manifest"], audit["ballot"], ev.Secrets(audit["choices"], audit["randomness"]))
    assert_fits_phone(page)

    page.get_by_role("button", name="Encrypt again").click()
    expect(tracker_el).not_to_have_text(spoiled_tracker)
    expect(tracker_el).to_have_text(HEX64)
    cast_tracker = tracker_el.inner_text()
    page.get_by_role("button", name="Cast this ballot").click()
    expect(page.locator("#tracker")).to_have_text(cast_tracker, timeout=20000)
    assert not Ballot.objects.filter(tracker=spoiled_tracker).exists()
    # Neither the code nor the choice went to the server: only the encrypted ballot.
    assert posted and not any(c.codes[0].split("-")[0].lower() in p.lower() for p in posted)
    assert all("choice=" not in p for p in posted)

    # Four more members vote; the next batch is published.
    for i in range(1, 5):
        ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[i], [[0, 1]])[0])
    assert ballotbox.release_batch(c.election) is not None
    page.goto(f"{page.live_url}/e/{c.election.slug}/board/")
    page.get_by_label("Find your tracker").fill(cast_tracker)
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#find-result")).to_contain_text("Found in batch 1")
    assert_fits_phone(page)
    assert not errors, errors
    assert_stayed_local(page)

    # The browser-made ballot verifies in the standalone verifier, and counts.
    ballotbox.close(c.election)
    decrypt_and_tally(c)
    path = tmp_path / "board.json"
    path.write_text(json.dumps(ballotbox.board(Election.objects.get(pk=c.election.pk))))
    out = io.StringIO()
    assert verifier.main([str(path)], out=out) == 0, out.getvalue()
    assert "PASS" in out.getvalue()
    assert Election.objects.get(pk=c.election.pk).tally["result"] == [[1, 4]]


def _es(english: str) -> str:
    with translation.override("es"):
        text = translation.gettext(english)
    assert text != english, f"{english!r} is not translated into Spanish yet"
    return text


def test_it_names_the_choice_as_the_page_does_and_moves_focus_to_the_cast_section(browser, live_server, vote_open):
    """On a Spanish page the radios say "Sí", while the manifest froze "Yes" when the vote
    was opened: the spoiled-ballot check names the choice as the voter saw it. After
    "Encrypt my ballot" the keyboard focus is on the section that holds the Cast button
    (the next Tab reaches it), and after the check on the check's own section."""
    c = vote_open
    context = browser.new_context(java_script_enabled=True, viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with translation.override("es"):
            url = reverse("elections:vote", args=[c.election.slug])
        page.goto(f"{live_server.url}{url}")
        yes = _es("Yes")
        page.get_by_label(_es("Your voting code")).fill(c.codes[0])
        page.get_by_label(yes, exact=True).check()
        page.get_by_role("button", name=_es("Encrypt my ballot")).click()
        expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
        expect(page.locator("#encrypted h2")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("#cast-button")).to_be_focused()
        page.locator("#audit-button").click()
        expect(page.locator("#audit h2")).to_be_focused()
        result = page.locator("#audit-result")
        expect(result).to_contain_text(yes)
        expect(result).not_to_contain_text("Yes")
        assert c.election.manifest["questions"][0]["options"][0] == "Yes", "sanity: the manifest says Yes"
        assert not errors, errors
    finally:
        context.close()


def test_it_votes_without_javascript_on_the_labelled_fallback(phone_page, vote_open):
    c = vote_open
    page = phone_page
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    assert "this server will encrypt your ballot for you" in page.content()
    page.get_by_label("Your voting code").fill(c.codes[1])
    page.get_by_label("No").check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    tracker = page.locator("#tracker").inner_text()
    assert Ballot.objects.filter(tracker=tracker).exists()
    assert_fits_phone(page)
    assert_stayed_local(page)


def test_it_matches_rfc9496_in_javascript(js_phone, vote_open):
    page = js_phone
    page.goto(f"{page.live_url}/e/{vote_open.election.slug}/")
    result = page.evaluate(
        """(v) => window.ConcertedBallot.ready().then(() => ({
            multiples: v.multiples.map((_, k) => k === 0 ? v.multiples[0] : window.ConcertedBallot.baseHex(k)),
            bad: v.bad_encodings.map((h) => window.ConcertedBallot.isValidPoint(h)),
            fromHash: v.from_hash.map((p) => window.ConcertedBallot.fromHash(p[0])),
            h2s: window.ConcertedBallot.hashToScalar("concerted/x", ["a", "b"]),
        }))""",
        VECTORS,
    )
    assert result["multiples"] == VECTORS["multiples"]
    assert result["bad"] == [False] * len(VECTORS["bad_encodings"])
    assert result["fromHash"] == [h for _, h in VECTORS["from_hash"]]
    assert result["h2s"] == ev.hx(ev.hash_to_scalar("concerted/x", "a", "b"))

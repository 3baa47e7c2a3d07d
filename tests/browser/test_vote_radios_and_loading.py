"""The ballot page in a phone's browser (390 px): each radio button sits beside its own
answer, and with JavaScript on a tap that comes before the encryption has loaded never
casts a ballot the server encrypted without the voter saying so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concerted.elections.models import Ballot

from .conftest import _page, assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
PHONE = {"width": 390, "height": 844}

# Each option's input box and the box of its label's own text (not the input), measured in the page.
BOXES = """() => Array.from(document.querySelectorAll('input[name=choice]')).map((input) => {
  const label = input.labels[0];
  const range = document.createRange();
  const texts = Array.from(label.childNodes).filter((n) => n !== input && n.textContent.trim());
  range.setStartBefore(texts[0]);
  range.setEndAfter(texts[texts.length - 1]);
  const box = input.getBoundingClientRect();
  const text = range.getClientRects()[0];
  return {option: label.textContent.trim(), box: [box.left, box.top, box.width, box.height],
          text: [text.left, text.top, text.width, text.height]};
})"""


def phone(browser, live_server, javascript: bool):
    return _page(browser, live_server, javascript=javascript, viewport=PHONE)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_it_puts_each_radio_button_beside_its_own_answer(browser, live_server, vote_open, javascript):
    context, page = phone(browser, live_server, javascript)
    try:
        page.goto(f"{page.live_url}/e/{vote_open.election.slug}/")
        boxes = page.evaluate(BOXES)
        assert [b["option"] for b in boxes] == ["Yes", "No"]
        for b in boxes:
            (bx, by, bw, bh), (tx, ty, _tw, th) = b["box"], b["text"]
            assert 16 <= bw <= 48, f"{b['option']}: the radio button is {bw}px wide"
            assert by < ty + th and ty < by + bh, f"{b['option']}: the button and its answer are on different lines"
            assert bx + bw <= tx + 1 and tx - (bx + bw) < 32, f"{b['option']}: the answer is not right after its button"
        # The two answers are on separate lines, each with its own button.
        assert boxes[0]["box"][1] + boxes[0]["box"][3] <= boxes[1]["box"][1]
        assert_fits_phone(page)
    finally:
        context.close()


def test_it_holds_a_tap_until_the_encryption_has_loaded(browser, live_server, vote_open):
    c = vote_open
    context, page = phone(browser, live_server, True)
    held: list = []
    posted: list[str] = []
    page.route("**/libsodium-sumo.js", lambda route: held.append(route))
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    try:
        page.goto(f"{page.live_url}/e/{c.election.slug}/", wait_until="commit")
        button = page.locator("#vote-submit")
        expect(button).to_have_text("Getting the encryption ready…")
        page.get_by_label("Your voting code").fill(c.codes[0])
        page.get_by_label("Yes").check()
        button.click(no_wait_after=True)  # the page is still loading: that's the point
        page.wait_for_timeout(300)
        assert not posted, "the code and the choice were posted before the encryption had loaded"
        assert held, "libsodium was not requested"
        held[0].continue_()
        # The held tap goes on by itself once the encryption is ready.
        expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
        cast = page.locator("#pending-tracker").inner_text()
        page.get_by_role("button", name="Cast this ballot").click()
        expect(page.locator("#tracker")).to_have_text(cast, timeout=20000)
        assert Ballot.objects.filter(tracker=cast).exists()
        assert posted and not any(c.codes[0].split("-")[0] in p.upper() for p in posted)
        assert all("choice=" not in p for p in posted)
        assert_stayed_local(page)
    finally:
        context.close()


def test_it_asks_before_encrypting_on_the_server_a_tap_made_before_the_scripts_ran(
    browser,
    live_server,
    vote_open,
):
    """The page's first script not run yet: the plain form goes; the server casts
    nothing, keeps what was typed, says why and offers its own encryption; once the
    scripts have loaded the phone encrypts after all."""
    c = vote_open
    context, page = phone(browser, live_server, True)
    held: list = []
    page.route("**/jsi18n/", lambda route: held.append(route) if route.request.method == "GET" else route.continue_())
    try:
        page.goto(f"{page.live_url}/e/{c.election.slug}/", wait_until="commit")
        page.get_by_label("Your voting code").fill(c.codes[1])
        page.get_by_label("No").check()
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Encrypt my ballot").click(no_wait_after=True)
        assert posted.value.status == 400
        assert not Ballot.objects.exists()
        # The held request belonged to the page the form left; this one loads freely.
        assert held
        page.unroute_all(behavior="ignoreErrors")
        expect(page.locator("#vote-waiting")).to_be_visible()
        expect(page.get_by_label("Your voting code")).to_have_value(c.codes[1])
        expect(page.get_by_label("No")).to_be_checked()
        # The scripts load on this page: the phone encrypts, the server's offer goes away.
        expect(page.locator("#vote-waiting")).to_contain_text("The encryption is ready", timeout=20000)
        expect(page.locator("#server-encrypt-offer")).to_be_hidden()
        page.get_by_role("button", name="Encrypt my ballot").click()
        expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
        page.get_by_role("button", name="Cast this ballot").click()
        expect(page.locator("#tracker")).to_have_text(HEX64, timeout=20000)
        assert Ballot.objects.count() == 1
        assert_fits_phone(page)
    finally:
        context.close()


def test_it_lets_the_voter_choose_server_encryption_when_the_script_never_loads(
    browser,
    live_server,
    vote_open,
):
    c = vote_open
    context, page = phone(browser, live_server, True)
    page.route("**/libsodium-sumo.js", lambda route: route.abort())
    try:
        page.goto(f"{page.live_url}/e/{c.election.slug}/")
        expect(page.locator(".error-box.js")).to_contain_text("could not load the encryption")
        page.get_by_label("Your voting code").fill(c.codes[2])
        page.get_by_label("Yes").check()
        offer = page.get_by_label("Let this server encrypt my ballot", exact=False)
        expect(offer).to_be_visible()
        page.get_by_role("button", name="Encrypt my ballot").click()
        page.wait_for_timeout(300)
        assert not Ballot.objects.exists(), "cast without the voter's say-so"
        offer.check()
        page.get_by_role("button", name="Encrypt my ballot").click()
        expect(page.locator("#tracker")).to_have_text(HEX64, timeout=20000)
        assert Ballot.objects.count() == 1
    finally:
        context.close()

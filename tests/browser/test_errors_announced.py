"""Errors and search results that a keyboard or screen-reader user must hear, and that a
low-vision user at 200% zoom on a 390 px phone (a 195 px wide viewport) must see: with
JavaScript on, a voting code mistyped or a question left unanswered takes the focus to
the error, marks the field at fault (aria-invalid) and ties it to the error
(aria-describedby, after its help text), all cleared once fixed; so does an encryption
that never loads (unless the voter is typing in a field then); the board's tracker search
moves the focus to its result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concerted.elections import ballotbox
from concerted.elections import evcrypto as ev

from .conftest import _page, axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
ZOOMED_PHONE = {"width": 195, "height": 422}  # a 390x844 phone at 200% zoom
IN_VIEW = "(id) => { const r = document.getElementById(id).getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"


@pytest.fixture
def zoomed_phone(browser, live_server):
    context, page = _page(browser, live_server, javascript=True, viewport=ZOOMED_PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def attr(page, selector: str, name: str) -> str | None:
    return page.locator(selector).get_attribute(name)


def test_a_mistyped_voting_code_takes_the_focus_to_its_error(zoomed_phone, vote_open):
    c = vote_open
    page = zoomed_phone
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    help_id = attr(page, "#id_code", "aria-describedby")
    assert help_id == "id_code_helptext"
    page.get_by_label("Your voting code").fill("ABCDE-FGHJK")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    error = page.locator("#vote-js-error")
    expect(error).to_have_text("That is not a voting code: 20 letters and digits in four groups.")
    assert page.evaluate("document.activeElement.id") == "vote-js-error"
    assert page.evaluate(IN_VIEW, "vote-js-error")
    assert attr(page, "#id_code", "aria-invalid") == "true"
    assert attr(page, "#id_code", "aria-describedby") == "id_code_helptext vote-js-error"
    assert attr(page, "#id_choice_0", "aria-invalid") is None
    assert axe_problems(page) == []

    # Fixed: the ballot is encrypted, and the field no longer says it is wrong.
    page.get_by_label("Your voting code").fill(c.codes[0])
    page.get_by_role("button", name="Encrypt my ballot").click()
    expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
    expect(error).to_have_count(0)
    assert attr(page, "#id_code", "aria-invalid") is None
    assert attr(page, "#id_code", "aria-describedby") == "id_code_helptext"
    assert not page.errors, page.errors


def test_a_question_left_unanswered_is_named_and_takes_the_focus(zoomed_phone, vote_open):
    c = vote_open
    page = zoomed_phone
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    group = page.locator("fieldset:has(input[name=choice])")
    assert group.get_attribute("aria-describedby") is None  # a yes/no question has no help text
    page.get_by_label("Your voting code").fill(c.codes[0])
    page.get_by_role("button", name="Encrypt my ballot").click()
    error = page.locator("#vote-js-error")
    expect(error).to_have_text("Choose an answer to the question “Authorize a strike?”: none is chosen yet.")
    assert page.evaluate("document.activeElement.id") == "vote-js-error"
    assert page.evaluate(IN_VIEW, "vote-js-error")
    assert group.get_attribute("aria-describedby") == "vote-js-error"
    for radio in ("#id_choice_0", "#id_choice_1"):
        assert attr(page, radio, "aria-invalid") == "true"
    assert attr(page, "#id_code", "aria-invalid") is None
    assert axe_problems(page) == []

    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    expect(page.locator("#pending-tracker")).to_have_text(HEX64, timeout=20000)
    expect(error).to_have_count(0)
    assert group.get_attribute("aria-describedby") is None
    for radio in ("#id_choice_0", "#id_choice_1"):
        assert attr(page, radio, "aria-invalid") is None
    assert not page.errors, page.errors


def test_an_encryption_that_never_loads_takes_the_focus_to_its_error(zoomed_phone, vote_open):
    c = vote_open
    page = zoomed_phone
    page.route("**/libsodium-sumo.js", lambda route: route.abort())
    page.goto(f"{page.live_url}/e/{c.election.slug}/")
    error = page.locator("#vote-js-error")
    expect(error).to_contain_text("This phone could not load the encryption.")
    expect(error).to_be_focused()
    assert page.evaluate(IN_VIEW, "vote-js-error")
    assert axe_problems(page) == []


def test_an_encryption_failing_while_the_voter_types_leaves_the_focus_in_the_field(zoomed_phone, vote_open):
    """The failure comes unasked: the voter's next keys stay in the field (the box, an
    alert, is read out). Their tap on the button then takes the focus to it."""
    c = vote_open
    page = zoomed_phone
    held: list = []
    page.route("**/libsodium-sumo.js", lambda route: held.append(route))
    page.goto(f"{page.live_url}/e/{c.election.slug}/", wait_until="commit")
    field = page.get_by_label("Your voting code")
    field.fill(c.codes[0][:5])
    expect(field).to_be_focused()
    for _ in range(100):  # the page is still loading (libsodium held): that's the point
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "libsodium was not requested"
    held[0].abort()
    error = page.locator("#vote-js-error")
    expect(error).to_contain_text("This phone could not load the encryption.")
    expect(field).to_be_focused()
    page.keyboard.type(c.codes[0][5:])
    expect(field).to_have_value(c.codes[0])
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    expect(error).to_be_focused()
    assert page.evaluate(IN_VIEW, "vote-js-error")


def test_the_board_search_takes_the_focus_to_its_result(zoomed_phone, vote_open):
    c = vote_open
    page = zoomed_phone
    trackers = [
        ballotbox.cast(c.election, ev.encrypt_ballot(c.election.manifest, c.codes[i], [[0, 1]])[0]) for i in range(5)
    ]
    assert ballotbox.release_batch(c.election) is not None
    page.goto(f"{page.live_url}/e/{c.election.slug}/board/")
    assert page.evaluate("document.activeElement === document.body")
    for wanted, said in ((trackers[2], "Found in batch 1"), ("f" * 64, "Not on the board (yet)")):
        page.get_by_label("Find your tracker").fill(wanted)
        page.get_by_role("button", name="Find").click()
        expect(page.locator("#find-result")).to_contain_text(said)
        assert page.evaluate("document.activeElement.id") == "find-result"
        assert page.evaluate(IN_VIEW, "find-result")
        assert page.get_by_label("Find your tracker").input_value() == wanted
        assert axe_problems(page) == []
    assert not page.errors, page.errors

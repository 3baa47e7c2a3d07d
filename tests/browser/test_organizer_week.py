"""An organizer's first week, in a real browser: sign in, invite a co-organizer who
turns on two-factor sign-in, write a Markdown petition, print its flyer (QR decoded
back to the configured public address), and a coworker withdraws with the
confirmation step on a phone with JavaScript off. axe-core (npm, served by the app)
checks every organizer page on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest

from concerted.accounts.models import OrganizerSession
from concerted.campaigns.models import Membership, Role
from concerted.flyers.tests.qr import read_pdf
from concerted.petitions.models import Petition, Signature
from conftest import PASSWORD

from .conftest import assert_fits_phone, assert_stayed_local, axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "our committee meets on thursdays 7"
BODY = """Acme installed a **keystroke tracker** on every laptop.

We ask management to:

- switch it off by 1 March
- let a *human* make every decision about us
"""


def check(page, checked: list[str]) -> None:
    problems = axe_problems(page)
    assert not problems, f"{page.url}: {problems}"
    checked.append(page.url)


def csp_errors(page) -> list[str]:
    return [m for m in page.console_messages if "Content Security Policy" in m]  # type: ignore[attr-defined]


def test_an_organizers_first_week(browser, live_server, settings, campaign, owner, tmp_path, phone_page):
    settings.PUBLIC_BASE_URL = live_server.url  # a loopback address: flyers need "yes, this is a test"
    checked: list[str] = []

    # 1. The owner signs in and names this sign-in.
    owner_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    owner_ctx.set_default_timeout(120_000)  # a loaded CI box; nothing here waits on purpose
    page = owner_ctx.new_page()
    page.live_url = live_server.url  # type: ignore[attr-defined]
    page.console_messages = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console_messages.append(m.text))  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/accounts/login/")
    check(page, checked)
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Name this sign-in").fill("office-free laptop")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=campaign.name).click()
    check(page, checked)

    # 2. Invites a co-organizer from the web.
    page.get_by_role("link", name="Organizers").click()
    check(page, checked)
    page.get_by_label("Note for yourselves").fill("Sam from Support")
    page.get_by_label("Role (required)").select_option("organizer")
    page.get_by_role("button", name="Make an invite link").click()
    link = page.get_by_test_id("invite-link").inner_text()
    assert link.startswith(f"{live_server.url}/en/o/campaigns/join/cxi_")
    check(page, checked)

    # 3. The co-organizer joins in their own browser and turns on two-factor sign-in.
    sam_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    sam_ctx.set_default_timeout(120_000)
    sam = sam_ctx.new_page()
    sam.live_url = live_server.url  # type: ignore[attr-defined]
    sam.goto(link)
    check(sam, checked)
    sam.get_by_label("Username").fill("sam")
    sam.locator("#id_password1").fill(NEW_PASSWORD)
    sam.locator("#id_password2").fill(NEW_PASSWORD)
    sam.get_by_role("button", name="Create my account and join").click()
    assert sam.get_by_text("You now organize").is_visible()
    assert Membership.objects.get(user__username="sam").role == Role.ORGANIZER
    sam.get_by_role("link", name="Two-factor").click()
    sam.get_by_role("button", name="Set up two-factor sign-in").click()
    check(sam, checked)
    secret = sam.get_by_test_id("totp-secret").inner_text()
    sam.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    sam.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert sam.get_by_text("Two-factor sign-in is on.").first.is_visible()
    assert len(re.findall(r"<li><code>", sam.content())) == 8  # recovery codes, shown once
    check(sam, checked)
    assert OrganizerSession.objects.get(user__username="sam").two_factor
    sam.get_by_role("link", name="Sessions", exact=True).click()
    check(sam, checked)

    # 4. The co-organizer writes a Markdown petition and previews it.
    sam.goto(f"{live_server.url}/o/campaigns/{campaign.pk}/")
    sam.get_by_role("link", name="Write a petition").click()
    sam.get_by_label("Title").fill("Switch the tracker off")
    sam.get_by_label("What the petition asks").fill(BODY)
    sam.get_by_label("Addressed to").fill("Acme management")
    sam.get_by_role("button", name="Preview the text").click()
    assert sam.locator(".md-preview strong").inner_text() == "keystroke tracker"
    assert "**keystroke tracker**" in sam.get_by_label("What the petition asks").input_value()  # kept as typed
    check(sam, checked)
    sam.get_by_role("button", name="Save").click()
    sam.get_by_role("button", name="Open for signatures").click()
    # It asks once: the text is fixed from then on.
    sam.get_by_role("link", name="See the phone page first").wait_for()
    check(sam, checked)
    sam.get_by_role("button", name="Yes, open it for signatures").click()
    petition = Petition.objects.get(title="Switch the tracker off")
    assert petition.status == Petition.Status.OPEN
    check(sam, checked)

    # 5. Prints its flyer: the address is loopback, so it asks first and stamps TEST.
    sam.get_by_role("link", name="Flyer PDF (A4)").click()
    assert sam.get_by_text("Coworkers' phones can't reach this address.").is_visible()
    check(sam, checked)
    sam.get_by_label("Yes, this is a test: print it stamped TEST").check()
    sam.get_by_label("Paper", exact=True).select_option("a4")
    with sam.expect_download() as download:
        sam.get_by_role("button", name="Print a TEST flyer").click()
    pdf = Path(download.value.path()).read_bytes()
    pages = read_pdf(pdf, tmp_path)
    poster_url = f"{live_server.url}/en/p/{petition.slug}/"
    assert pages[0].codes == [poster_url]

    # 6. A coworker signs from the QR code and withdraws, on a phone with JavaScript off.
    phone = phone_page
    phone.context.set_default_timeout(120_000)
    phone.goto(pages[0].codes[0])
    assert phone.locator(".body strong").inner_text() == "keystroke tracker"
    phone.get_by_label("Your name").fill("Rosa Phone")
    phone.get_by_role("button", name="Sign the petition").click()
    assert phone.get_by_role("heading", name="You signed. Thank you.").is_visible()
    phone.get_by_role("button", name="Withdraw my signature").click()
    assert phone.get_by_text("This can't be undone.").is_visible()
    assert_fits_phone(phone)
    assert Signature.objects.filter(petition=petition).count() == 1
    phone.get_by_role("button", name="Yes, withdraw my signature").click()
    assert phone.get_by_role("heading", name="Your signature was withdrawn").is_visible()
    assert Signature.objects.filter(petition=petition).count() == 0
    assert_stayed_local(phone)

    # The owner's pages ran htmx under the CSP without a single violation.
    assert csp_errors(page) == []
    assert len(checked) >= 10
    owner_ctx.close()
    sam_ctx.close()

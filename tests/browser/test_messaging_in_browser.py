"""Messaging in a real browser: a coworker ticks the consent box on a phone with
JavaScript off; an organizer composes a message, previews it as a recipient will see
it and sees the audience counts, small groups hidden; a stop link works on a phone."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from concerted.core import records
from concerted.messaging.models import Message
from concerted.petitions import signing
from concerted.petitions.models import Signature
from concerted.pledges import pledging
from concerted.pledges.models import Pledge

from .conftest import assert_fits_phone, assert_stayed_local
from .test_organizer_week import axe_problems
from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def yesterday() -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=1)


def test_an_organizer_composes_previews_and_sees_counts(desktop_page, phone_page, petition, campaign, owner):
    # A coworker on a phone, JavaScript off: the box is there, unticked; they tick it.
    phone = phone_page
    phone.goto(f"{phone.live_url}/p/{petition.slug}/")
    box = phone.get_by_label("The committee may write to me about this campaign")
    assert not box.is_checked()
    phone.get_by_label("Your name").fill("Phone Signer")
    phone.get_by_label("Personal email or phone (optional)").fill("phone.signer@example.net")
    box.check()
    phone.get_by_role("button", name="Sign the petition").click()
    expect(phone.locator("body")).to_contain_text("You signed")
    assert_fits_phone(phone)
    assert_stayed_local(phone)
    assert Signature.objects.get().may_message

    for i in range(5):
        signing.sign(petition, {"name": f"Signer Quillon {i}", "contact": f"s{i}@example.net", "may_message": True})
    Signature.objects.update(day=yesterday())
    pledge = Pledge.objects.create(
        campaign=campaign, title="Refuse the tracker", promise="I refuse.", threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=9),
    )  # fmt: skip
    pledge.open()
    for i in range(2):
        pledging.pledge(pledge, {"name": f"Pledger Quillon {i}", "contact": f"p{i}@example.net", "may_message": True})
    pledge.commitments.update(day=yesterday())

    page = desktop_page
    login(page, owner)
    page.goto(f"{page.live_url}/o/campaigns/{campaign.pk}/messages/new/")
    rows = {
        row.locator("td").first.inner_text().strip(): row.locator("td.count").inner_text().strip()
        for row in page.locator("table.audiences tbody tr").all()
    }
    assert rows["Signers of the petition: End keystroke tracking"] == "6"
    assert rows["Everyone who pledged: Refuse the tracker"] == "fewer than 5"
    # Names long enough that no random token on the page can contain one by chance
    # ("P0" once matched a CSRF token).
    assert "Quillon" not in page.content() and "s0@example.net" not in page.content()
    assert not axe_problems(page)

    page.get_by_label("Who gets it").select_option(label="Signers of the petition: End keystroke tracking")
    page.get_by_label("Subject").fill("We reached 40%")
    page.locator("#id_body").fill("**Act on Monday.** Meet at the *south entrance*.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.md-preview")
    assert preview.locator(".body strong").inner_text() == "Act on Monday."
    assert "/stop/PREVIEW-STOP-LINK/" in preview.inner_html()
    assert not Message.objects.exists()
    assert page.get_by_label("Subject").input_value() == "We reached 40%"  # typed text kept
    page.get_by_role("button", name="Save").click()
    message = Message.objects.get()
    assert page.url.endswith(f"/o/messages/{message.pk}/")
    assert page.locator(".audience-count").inner_text().endswith("6")
    expect(page.locator("body")).to_contain_text(f"concerted send {message.pk}")
    assert not axe_problems(page)


def test_a_stop_link_on_a_phone(phone_page, petition, private_key):
    from concerted.core.sealing import open_sealed

    done = signing.sign(petition, {"name": "Ana", "contact": "ana@example.net", "may_message": True})
    token = open_sealed(
        private_key, bytes(done.signature.sealed), kind=done.signature.KIND, ids=done.signature.envelope_ids()
    )["stop"]
    page = phone_page
    page.goto(f"{page.live_url}/stop/{token}/")
    assert Signature.objects.get().may_message  # opening the link stops nothing
    page.get_by_role("button", name="Stop messages").click()
    # The click returns once the answer is committed, before its body exists on a busy
    # machine (CI once read an empty page here): wait for the text, don't read once.
    expect(page.locator("body")).to_contain_text("will not write to you")
    assert not Signature.objects.get().may_message
    assert records.stop_messages(token) == 0
    assert_fits_phone(page)
    assert_stayed_local(page)

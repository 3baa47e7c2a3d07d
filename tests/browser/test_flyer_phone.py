"""Journey 1 from paper: the QR code decoded from a flyer's tear-off card opens the sign
page on a phone (JavaScript off) with the invite code filled in; signing uses the code
up, and the same card is refused the second time with a clear message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.flyers.tests.qr import read_pdf
from concerted.invites.models import InviteBatch
from concerted.petitions.models import Signature

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cards_for(kind, target, owner, tmp_path) -> tuple[str, list[str]]:
    """Make a batch as the organizer; return the poster URL and the card URLs decoded from the PDF."""
    client = Client()
    client.force_login(owner)
    response = client.post(
        reverse("flyers:batch_new", args=[kind, target.pk]), {"count": 2, "paper": "a4", "poster": "on", "test": "yes"}
    )
    assert response.status_code == 200, response.content[:500]
    poster, cards = read_pdf(response.content, tmp_path)
    assert len(poster.codes) == 1 and len(cards.codes) == 2
    return poster.codes[0], cards.codes


@pytest.fixture
def invite_petition(petition, settings, live_server):
    settings.PUBLIC_BASE_URL = live_server.url  # what the QR codes point at
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    return petition


def test_it_signs_from_a_flyer_qr_code_on_a_phone(phone_page, invite_petition, owner, tmp_path):
    page = phone_page
    poster_url, card_urls = cards_for("petition", invite_petition, owner, tmp_path)
    assert poster_url == f"{page.live_url}/en/p/{invite_petition.slug}/"
    url = card_urls[0]
    assert url.startswith(poster_url + "?code=")
    code = url.split("?code=")[1]

    page.goto(url)  # opening the link is a GET: it uses nothing up
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    field = page.get_by_label("Invite code")
    assert field.input_value().replace("-", "") == code
    assert InviteBatch.objects.get().used == 0
    assert_fits_phone(page)
    page.get_by_label("Your name").fill("Flyer Reader")
    page.get_by_role("button", name="Sign the petition").click()
    assert page.get_by_role("heading", name="You signed. Thank you.").is_visible()
    assert InviteBatch.objects.get().used == 1
    assert Signature.objects.filter(petition=invite_petition).count() == 1

    # The same card again: opening it says nothing (a photographed card must not tell
    # whether its holder acted); only submitting with it is refused.
    page.goto(url)
    assert not page.get_by_text("it may already have been used").count()
    page.get_by_label("Your name").fill("Card Borrower")
    page.get_by_role("button", name="Sign the petition").click()
    assert page.get_by_text("That invite code doesn't work here").first.is_visible()
    assert page.get_by_label("Your name").input_value() == "Card Borrower"
    assert_fits_phone(page)
    assert Signature.objects.filter(petition=invite_petition).count() == 1

    # The poster's QR code: no code in it, the coworker types the one from a card.
    page.goto(poster_url)
    other = card_urls[1].split("?code=")[1]
    page.get_by_label("Invite code").fill(f"{other[:4].upper()} {other[4:8].upper()} {other[8:].upper()}")
    page.get_by_label("Your name").fill("Poster Reader")
    page.get_by_role("button", name="Sign the petition").click()
    assert page.get_by_role("heading", name="You signed. Thank you.").is_visible()
    assert InviteBatch.objects.get().used == 2
    assert_stayed_local(page)


@pytest.fixture
def invite_pledge(campaign, settings, live_server):
    import datetime

    from concerted.core.days import today
    from concerted.pledges.models import Pledge

    settings.PUBLIC_BASE_URL = live_server.url
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the new tracker on my work laptop.",
        threshold_count=40,
        deadline=today() + datetime.timedelta(days=14),
        requires_invite=True,
    )
    pledge.open()
    return pledge


def test_it_pledges_from_a_flyer_qr_code_on_a_phone(phone_page, invite_pledge, owner, tmp_path):
    from concerted.pledges.models import Commitment

    page = phone_page
    poster_url, card_urls = cards_for("pledge", invite_pledge, owner, tmp_path)
    assert poster_url == f"{page.live_url}/en/k/{invite_pledge.slug}/"
    url = card_urls[0]
    code = url.split("?code=")[1]

    page.goto(url)
    assert page.get_by_text("Use your personal phone, not a work device or work Wi-Fi.").is_visible()
    assert page.get_by_label("Invite code").input_value().replace("-", "") == code
    assert InviteBatch.objects.get().used == 0
    assert_fits_phone(page)
    page.get_by_label("Your name").fill("Flyer Pledger")
    page.get_by_role("button", name="Make my pledge").click()
    assert page.get_by_role("heading", name="You pledged. Thank you.").is_visible()
    assert InviteBatch.objects.get().used == 1
    assert Commitment.objects.filter(pledge=invite_pledge).count() == 1

    page.goto(url)
    assert not page.get_by_text("it may already have been used").count()
    page.get_by_label("Your name").fill("Card Borrower")
    page.get_by_role("button", name="Make my pledge").click()
    assert page.get_by_text("That invite code doesn't work here").first.is_visible()
    assert page.get_by_label("Your name").input_value() == "Card Borrower"
    assert_fits_phone(page)
    assert Commitment.objects.filter(pledge=invite_pledge).count() == 1
    assert_stayed_local(page)

"""An organizer writes a petition on a phone (JavaScript off) while their session ends;
pressing Save must not lose the text. In a real browser, whose own Sec-Fetch-Site header
is what lets the page show it back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from concerted.petitions.models import Petition

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "We, the support team, ask that the keystroke tracker be switched off on every work laptop."


def test_an_organizer_signed_out_while_writing_gets_the_text_back(phone_page, campaign, owner):
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = phone_page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.live_url}])
    page.goto(page.live_url + reverse("petitions:new", args=[campaign.pk]))
    page.fill("#id_title", "Switch the tracker off")
    page.fill("#id_body", BODY)
    page.fill("#id_addressee", "Acme management")
    Session.objects.all().delete()  # half an hour on the text: the server forgot the session
    page.locator("main form button[type=submit], main form button:not([type])").first.click()
    assert page.locator("h1").inner_text() == "You were signed out"
    shown = [page.locator("textarea").nth(i).input_value() for i in range(page.locator("textarea").count())]
    assert BODY in shown and "Switch the tracker off" in shown
    assert not Petition.objects.exists()
    assert_fits_phone(page)
    assert_stayed_local(page)

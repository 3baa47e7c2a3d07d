"""The batch list in a real browser: axe-core finds no serious problem on it, and an
organizer voids a batch on a phone with JavaScript off, through the confirmation step;
the voided cards are then refused on the participant's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.invites import codes
from concerted.invites.models import InviteCode
from conftest import PASSWORD

from .conftest import assert_stayed_local
from .test_organizer_week import axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_url: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_organizer_voids_a_batch_with_javascript_off(live_server, settings, petition, desktop_page, phone_page):
    settings.PUBLIC_BASE_URL = "https://organize.example.org"
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 6, "Night shift")
    codes.consume_now("petition", petition.pk, made[0])
    page_url = f"{live_server.url}{reverse('flyers:page', args=['petition', petition.pk])}"

    desktop = desktop_page
    desktop.context.set_default_timeout(120_000)
    sign_in(desktop, live_server.url)
    desktop.goto(page_url)
    assert desktop.get_by_text(f"concerted codes print {batch.pk}").is_visible()
    assert not axe_problems(desktop), axe_problems(desktop)

    phone = phone_page
    phone.context.set_default_timeout(120_000)
    sign_in(phone, live_server.url)
    phone.goto(page_url)
    phone.get_by_role("button", name="Void…").click()
    assert phone.get_by_text("This can't be undone.").is_visible()
    # No count: read now and at the next release, it would tell how many were used between.
    assert phone.get_by_text("Its unused codes stop working").is_visible()
    assert InviteCode.objects.filter(batch=batch).count() == 5
    phone.get_by_role("button", name="Yes, void these cards").click()
    assert phone.get_by_text("Batch voided: its unused codes no longer work.").is_visible()
    assert phone.get_by_text("Voided on").is_visible()
    assert not InviteCode.objects.filter(batch=batch).exists()
    assert_stayed_local(phone)

    sign = Client().post(reverse("petitions:sign", args=[petition.slug]), {"name": "Late Card", "invite_code": made[1]})
    assert sign.status_code == 400
    assert "voided" in sign.content.decode()

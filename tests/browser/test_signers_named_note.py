"""The browser signer list says what the deliverable will hold, by the same rule as
`concerted reveal` (core/reveal.py: deliverable_names): names only once at least 5
people agreed to be named, each person counted once by contact."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from concerted.core import dedup, keys
from concerted.core.reveal import deliverable_names, open_export
from concerted.petitions.signing import sign

from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_in_browser(page, petition, private_key) -> str:
    page.goto(f"{page.live_url}/o/petitions/{petition.pk}/signers/")
    page.fill("#keytext", keys.format_private(private_key))
    page.get_by_role("button", name="Open the list").click()
    page.wait_for_selector("#signer-table:not([hidden])", timeout=15000)
    return page.locator("#named-note").inner_text()


def named_by_cli(petition, owner, private_key) -> int:
    client = Client()
    client.force_login(owner)
    export = client.get(reverse("petitions:export", args=[petition.pk])).json()
    revealed = open_export(export, private_key)
    found = dedup.collapse(revealed.rows)
    return deliverable_names(dataclasses.replace(revealed, rows=found.unique).rows).consented


def test_it_says_the_deliverable_names_nobody_below_five(desktop_page, petition, owner, private_key):
    for i in range(4):
        sign(petition, {"name": f"Named {i}", "contact": f"n{i}@example.org", "consent_named": True})
    # A fifth named record that repeats a contact is the same person: still four.
    sign(petition, {"name": "Named 0", "contact": "N0@Example.org ", "consent_named": True})
    sign(petition, {"name": "Quiet", "contact": "q@example.org", "consent_named": False})
    login(desktop_page, owner)
    note = open_in_browser(desktop_page, petition, private_key)
    assert named_by_cli(petition, owner, private_key) == 4
    assert "Only 4 signers agreed to be named" in note
    assert "names are printed once at least 5 have, so nobody stands alone" in note
    expect(desktop_page.locator("#named-note")).to_be_visible()


def test_it_says_the_deliverable_lists_five(desktop_page, petition, owner, private_key):
    for i in range(5):
        sign(petition, {"name": f"Named {i}", "contact": f"n{i}@example.org", "consent_named": True})
    sign(petition, {"name": "Quiet", "consent_named": False})
    login(desktop_page, owner)
    note = open_in_browser(desktop_page, petition, private_key)
    assert named_by_cli(petition, owner, private_key) == 5
    assert "5 signers agreed to be named: the deliverable lists them alphabetically" in note
    assert "Only" not in note

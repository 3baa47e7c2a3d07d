"""Journey 4: the organizer opens the signer list in the browser. libsodium's
JavaScript build, served by the app itself, decrypts in memory; the key is never sent."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from concerted.core import keys
from concerted.petitions.signing import sign

from .conftest import assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.live_url}])


def test_it_decrypts_the_signer_list_in_the_browser(desktop_page, petition, owner, private_key, tmp_path):
    sign(petition, {"name": "Marguerite Decryptova", "contact": "mdz@example.org", "consent_named": True})
    sign(petition, {"name": "Second <b>Signer</b>", "comment": "<img src=x onerror=alert(1)>"})
    page = desktop_page
    bodies: list[str] = []
    page.on("request", lambda r: bodies.append((r.post_data or "") + " ".join(r.headers.values()) + r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, owner)
    page.goto(f"{page.live_url}/o/petitions/{petition.pk}/signers/")
    key_path = tmp_path / "committee.key"
    secret = keys.format_private(private_key)
    key_path.write_text(secret)
    page.set_input_files("#keyfile", str(key_path))
    page.get_by_role("button", name="Open the list").click()
    page.wait_for_selector("#signer-table:not([hidden])", timeout=15000)
    assert page.get_by_role("cell", name="Marguerite Decryptova").is_visible()
    assert page.get_by_role("cell", name="Second <b>Signer</b>").is_visible()  # shown as text, not markup
    assert "Opened 2 records." in page.locator("#reveal-status").inner_text()
    assert not errors, errors
    secret_b64 = secret.split(":")[1]
    assert not any(secret_b64 in b for b in bodies), "the private key left the page"
    assert_stayed_local(page)


def test_a_wrong_key_says_so(desktop_page, petition, owner):
    from nacl.public import PrivateKey

    sign(petition, {"name": "Someone"})
    page = desktop_page
    login(page, owner)
    page.goto(f"{page.live_url}/o/petitions/{petition.pk}/signers/")
    page.fill("#keytext", keys.format_private(PrivateKey.generate()))
    page.get_by_role("button", name="Open the list").click()
    # A locator assertion, not wait_for_function: the page's CSP forbids string eval.
    expect(page.locator("#reveal-status")).to_contain_text("could not", timeout=15000)
    assert "0 record" in page.locator("#reveal-status").inner_text()

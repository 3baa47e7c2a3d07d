"""Journey 4: the organizer opens the signer list in the browser. libsodium's
JavaScript build, served by the app itself, decrypts in memory; the key is never sent."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from concerted.campaigns.models import Segment
from concerted.core import keys
from concerted.petitions.signing import sign

from .conftest import assert_fits_phone, assert_stayed_local, axe_problems

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


def open_list(page, petition, owner, private_key) -> None:
    login(page, owner)
    page.goto(f"{page.live_url}/o/petitions/{petition.pk}/signers/")
    page.fill("#keytext", keys.format_private(private_key))
    page.get_by_role("button", name="Open the list").click()
    page.wait_for_selector("#signer-table:not([hidden])", timeout=15000)


def cli_csv(petition, owner, private_key, tmp_path) -> bytes:
    """What `concerted reveal --file` writes for the same petition, from its own download."""
    client = Client()
    client.force_login(owner)
    export = tmp_path / "export.json"
    export.write_bytes(client.get(f"/o/petitions/{petition.pk}/export.json").content)
    key_path = tmp_path / "cli.key"
    key_path.write_text(keys.format_private(private_key))
    out = tmp_path / "cli"
    call_command("reveal", key=str(key_path), file=str(export), out=str(out), stdout=io.StringIO())
    (written,) = out.glob("*.csv")
    assert written.name == f"petitions-{petition.slug}.csv"
    return written.read_bytes()


def test_the_opened_list_downloads_as_the_same_csv_concerted_reveal_writes(
    desktop_page, petition, owner, private_key, tmp_path
):
    team = Segment.objects.get(campaign=petition.campaign, label="Support")
    sign(petition, {"name": "Ana Lima", "contact": "ana@example.org", "consent_named": True, "segment": team.pk})
    sign(petition, {"name": "=cmd|' /C calc'!A0", "contact": "+1 555 0100", "comment": 'said "no", then\nyes'})
    sign(petition, {"name": "Ana again", "contact": " ANA@example.org", "may_message": True})  # a repeat
    page = desktop_page
    open_list(page, petition, owner, private_key)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    assert download.value.suggested_filename == f"petitions-{petition.slug}.csv"
    got = Path(download.value.path()).read_bytes()
    assert not [url for url in sent if url.startswith(page.live_url)], "made in the page: no server round trip"
    assert got == cli_csv(petition, owner, private_key, tmp_path)  # byte for byte, line ends included
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(got.decode("utf-8"), newline=""))}
    assert set(rows) == {"Ana Lima", "'=cmd|' /C calc'!A0", "Ana again"}  # the formula neutralized
    assert rows["Ana Lima"]["segment"] == "Support" and rows["Ana Lima"]["day"]
    first, repeat = sorted([rows["Ana Lima"], rows["Ana again"]], key=lambda r: bool(r["repeat_of"]))
    assert repeat["repeat_of"] == first["id"] and not first["repeat_of"]  # one person, counted once
    assert rows["'=cmd|' /C calc'!A0"]["comment"] == 'said "no", then\nyes'
    assert f"concerted reveal --server URL --token TOKEN --petition {petition.pk}" in page.inner_text("main")


def test_the_opened_list_fits_a_phone(browser, live_server, petition, owner, private_key):
    for i in range(3):
        sign(
            petition,
            {
                "name": f"Signer {i} Longname",
                "contact": f"signer{i}.with.a.long.address@example.org",
                "comment": "A comment long enough to make a table wider than any phone " * 2,
            },
        )
    context = browser.new_context(java_script_enabled=True, viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    page.live_url = live_server.url
    try:
        open_list(page, petition, owner, private_key)
        assert page.get_by_role("cell", name="Signer 0 Longname").count() == 1
        table = page.locator("#signer-table").evaluate("t => t.scrollWidth")
        assert table > 390, "the check would pass vacuously: the table fits anyway"
        assert_fits_phone(page)
        region = page.get_by_role("region", name="Signer list")
        assert region.get_attribute("tabindex") == "0"  # scrolled with the keyboard too
        assert not axe_problems(page), axe_problems(page)
        assert_stayed_local(page)
    finally:
        context.close()


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

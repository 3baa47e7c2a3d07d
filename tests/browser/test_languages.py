"""Languages in a real browser: a coworker signs in Spanish on a phone with JavaScript
off; the organizer's in-browser signer list runs in German; choosing a language sets
no cookie and leaves nothing with the signature.

Expected texts are read from the committed catalogs (never typed here), so these
tests check that the pages use the catalogs, whatever the translators' wording; each
also checks the translation differs from the English, so it fails while a string is
untranslated."""

from __future__ import annotations

import gettext

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import expect

from concerted.core import keys
from concerted.core.sealing import open_sealed
from concerted.petitions.models import Signature
from concerted.petitions.signing import sign

from .conftest import assert_fits_phone, assert_stayed_local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tr(language: str, english: str, **values: object) -> str:
    with translation.override(language):
        text = translation.gettext(english)
    assert text != english, f"{english!r} is not translated into {language} yet"
    return text % values if values else text


def only_csrf_cookie(context) -> None:  # type: ignore[no-untyped-def]
    names = sorted(c["name"] for c in context.cookies())
    assert names in ([], ["csrftoken"]), f"cookies besides the CSRF token: {names}"


def test_a_coworker_signs_a_petition_in_spanish_on_a_phone(browser, live_server, petition):
    # A Spanish phone opens the address printed on an old flyer, without a prefix.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="es-ES")
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.requested_urls = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested_urls.append(request.url))  # type: ignore[attr-defined]
    page.live_url = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/p/{petition.slug}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text(tr("es", "Use your personal phone, not a work device or work Wi-Fi.")).is_visible()
    assert_fits_phone(page)
    page.get_by_label(tr("es", "Your name")).fill("Ximena García Núñez")
    page.get_by_label(tr("es", "Personal email or phone (optional)")).fill("xg@acme.com")
    page.get_by_role("button", name=tr("es", "Sign the petition")).click()
    employer = tr(
        "es",
        "That is an address at %(domain)s, your employer, who can read that mailbox. "
        "Use a personal email or phone number, or leave this blank.",
        domain="acme.com",
    )
    assert page.get_by_text(employer).is_visible()
    assert page.get_by_label(tr("es", "Your name")).input_value() == "Ximena García Núñez"  # kept as typed
    page.get_by_label(tr("es", "Personal email or phone (optional)")).fill("ximena@example.org")
    page.get_by_role("button", name=tr("es", "Sign the petition")).click()
    assert page.get_by_role("heading", name=tr("es", "You signed. Thank you.")).is_visible()
    assert "/es/p/" in page.url  # from here on the address carries the language
    page.get_by_role("button", name=tr("es", "Withdraw my signature")).click()
    assert page.get_by_text(tr("es", "This can't be undone.")).is_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name=tr("es", "Yes, withdraw my signature")).click()
    assert page.get_by_role("heading", name=tr("es", "Your signature was withdrawn")).is_visible()
    assert Signature.objects.filter(petition=petition).count() == 0
    only_csrf_cookie(context)
    assert_stayed_local(page)
    context.close()


def test_the_language_switch_sets_no_cookie_and_leaves_nothing_with_the_signature(
    browser, live_server, petition, private_key
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{petition.slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    for code, name in settings.LANGUAGES:
        page.locator("nav.languages").get_by_role("link", name=name).click()
        assert page.locator("html").get_attribute("lang") == code
        assert page.url == f"{live_server.url}/{code}/p/{petition.slug}/"  # the same page
        assert page.locator("nav.languages [aria-current]").inner_text() == name
        only_csrf_cookie(context)
    # Sign in German: the stored row and what it seals are what an English signature has.
    page.locator("input[name=name]").fill("Jürgen Weiß")
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/en/p/{petition.slug}/")
    page.locator("input[name=name]").fill("Jo English")
    page.locator("form button[type=submit]").click()
    only_csrf_cookie(context)
    context.close()
    rows = list(Signature.objects.filter(petition=petition).values())
    assert len(rows) == 2
    assert {k for row in rows for k in row} == {k for k in rows[0]}
    opened = [
        open_sealed(private_key, bytes(s.sealed), kind=Signature.KIND, ids=s.envelope_ids())
        for s in Signature.objects.filter(petition=petition)
    ]
    assert sorted(d["name"] for d in opened) == ["Jo English", "Jürgen Weiß"]
    assert {tuple(sorted(d)) for d in opened} == {tuple(sorted(opened[0]))}, "a language left a trace in the seal"
    for row, data in zip(rows, opened, strict=True):
        values = " ".join(str(v) for v in [*row.values(), *data.values()])
        assert "/de/" not in values and "Deutsch" not in values


def test_the_organizers_signer_list_runs_in_german(desktop_page, petition, owner, private_key, tmp_path):
    sign(petition, {"name": "Jürgen Weiß", "contact": "jw@example.org", "consent_named": True})
    sign(petition, {"name": "Inês Conceição"})
    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.live_url}])
    page.goto(f"{page.live_url}/de/o/petitions/{petition.pk}/signers/")
    assert page.locator("html").get_attribute("lang") == "de"
    key_path = tmp_path / "committee.key"
    key_path.write_text(keys.format_private(private_key))
    page.set_input_files("#keyfile", str(key_path))
    page.locator("#open-list").click()
    page.wait_for_selector("#signer-table:not([hidden])", timeout=15000)
    assert page.get_by_role("cell", name="Jürgen Weiß").is_visible()
    # The script's own words come from the German JavaScript catalog.
    js = gettext.translation("djangojs", settings.LOCALE_PATHS[0], languages=["de"])
    opened = js.ngettext("Opened %(n)s record.", "Opened %(n)s records.", 2) % {"n": 2}
    yes = js.gettext("yes")
    assert opened == "2 Einträge geöffnet." and yes == "ja"
    expect(page.locator("#reveal-status")).to_have_text(opened)
    assert page.get_by_role("cell", name=yes, exact=True).is_visible()
    page.fill("#keytext", "not a key")
    page.locator("#open-list").click()
    expect(page.locator("#reveal-status")).to_have_text(js.gettext("That is not a Concerted private key."))
    assert not errors, errors
    assert_stayed_local(page)
    # The organizer's session cookie, perhaps the CSRF token, and nothing for the language.
    assert sorted(c["name"] for c in page.context.cookies()) in (
        [settings.SESSION_COOKIE_NAME],
        ["csrftoken", settings.SESSION_COOKIE_NAME],
    )

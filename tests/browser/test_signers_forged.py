"""The browser signer list trusts nothing the server sends either: a record sent twice
(same id, or its sealed blob replayed) is counted once and said so; an export whose
records (or their columns) are another kind than it declares is refused. Exports in the
older formats still open."""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import expect

from concerted.campaigns.models import Segment
from concerted.core import export as export_format
from concerted.core import keys, sealing
from concerted.core.testing import export_columns, reseal_columns
from concerted.petitions.signing import sign

from .test_signers_in_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_forged(page, petition, owner, private_key, forge) -> None:
    url = f"/o/petitions/{petition.pk}/export.json"

    def handle(route):
        data = route.fetch().json()
        forge(data)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(data))

    page.route(f"**{url}", handle)
    login(page, owner)
    page.goto(f"{page.live_url}/o/petitions/{petition.pk}/signers/", timeout=120_000)  # a loaded CI machine
    page.fill("#keytext", keys.format_private(private_key))
    page.get_by_role("button", name="Open the list").click()


def test_it_counts_repeated_records_once_and_says_so(desktop_page, petition, owner, private_key):
    sign(petition, {"name": "Only Once", "consent_named": True})
    sign(petition, {"name": "Someone Else", "consent_named": True})

    def replay(data):
        first = data["records"][0]
        data["records"] += [dict(first), dict(first), {**first, "id": "f" * 32}]

    open_forged(desktop_page, petition, owner, private_key, replay)
    status = desktop_page.locator("#reveal-status")
    expect(status).to_contain_text("3 duplicated or replayed records", timeout=60_000)
    assert "Opened 2 records." in status.inner_text()
    assert desktop_page.locator("#signer-table tbody tr").count() == 2


def test_an_export_of_another_kind_is_refused(desktop_page, petition, owner, private_key):
    sign(petition, {"name": "Wrong Kind", "consent_named": True})

    def relabel(data):
        data["kind"] = "pledges.pledge"

    open_forged(desktop_page, petition, owner, private_key, relabel)
    expect(desktop_page.locator("#reveal-status")).to_contain_text("Refused", timeout=60_000)
    assert desktop_page.locator("#signer-table").is_hidden()


def test_columns_sealed_as_another_kind_are_refused(desktop_page, petition, owner, private_key):
    sign(petition, {"name": "Wrong Columns", "consent_named": True})

    def relabel(data):
        first = data["records"][0]
        reseal_columns(data, private_key, first, export_columns(data, private_key, first), kind="pledges.pledge")

    open_forged(desktop_page, petition, owner, private_key, relabel)
    expect(desktop_page.locator("#reveal-status")).to_contain_text("Refused", timeout=60_000)
    assert desktop_page.locator("#signer-table").is_hidden()


@pytest.mark.parametrize("old", [export_format.FORMAT_RECORD_COLUMNS, export_format.FORMAT_CLEAR_COLUMNS])
def test_an_export_in_an_older_format_still_opens(desktop_page, petition, owner, private_key, old):
    """Format 2 sealed each record's columns in a box of its own (naming its row),
    format 1 had them in the clear (core/export.py)."""
    team = Segment.objects.get(campaign=petition.campaign, label="Support")
    sign(petition, {"name": "Old Format", "consent_named": True, "segment": team.pk})
    sign(petition, {"name": "Also Old", "consent_named": True})

    def downgrade(data):
        for record in data["records"]:
            columns = export_columns(data, private_key, record)
            if old == export_format.FORMAT_CLEAR_COLUMNS:
                record.update(columns)
                continue
            ids = export_format.expected_ids(data, record)
            padded = export_format.padded(columns, export_format.COLUMNS_ROOM)
            boxed = sealing.seal(private_key.public_key, kind=f"{data['kind']}/columns", ids=ids, data=padded)
            record["columns"] = base64.b64encode(boxed).decode()
        del data["columns"]
        data["format"] = old

    open_forged(desktop_page, petition, owner, private_key, downgrade)
    expect(desktop_page.locator("#reveal-status")).to_contain_text("Opened 2 records.", timeout=60_000)
    assert desktop_page.get_by_role("cell", name="Support", exact=True).count() == 1

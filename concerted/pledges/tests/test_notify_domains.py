"""`concerted notify` checks every address again on the sending machine: an employer
address in any spelling is never mailed, whatever the server or an old form let in."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from concerted.core import export as export_format
from concerted.core import sealing
from concerted.pledges.models import PLEDGE_KIND

from .test_commands import EMAIL_BACKEND, active_pledge, export_file, key_file  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

LOOK_ALIKES = ["ana@\uff41\uff43\uff4d\uff45.com", "bo@ac\u00adme.com", "cy@acme.com\u200b", "di@MAIL.ACME\u3002COM."]


def with_contacts(path: str, private_key, contacts: list[str]) -> str:
    """The export with its email records' contacts replaced, sealed as the server would."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    emails = iter(contacts)
    for record in data["records"]:
        ids = export_format.expected_ids(data, record)
        blob = base64.b64decode(record["sealed"])
        clear = sealing.open_sealed(private_key, blob, kind=PLEDGE_KIND, ids=ids)
        if "@" in str(clear.get("contact") or ""):
            clear["contact"] = next(emails, clear["contact"])
            resealed = sealing.seal(private_key.public_key, kind=PLEDGE_KIND, ids=ids, data=clear)
            record["sealed"] = base64.b64encode(resealed).decode()
    forged = Path(path).with_name("look-alikes.json")
    forged.write_text(json.dumps(data), encoding="utf-8")
    return str(forged)


def test_notify_never_mails_an_employer_address_in_any_spelling(
    tmp_path,
    owner,
    active_pledge,  # noqa: F811
    key_file,  # noqa: F811
    private_key,
    settings,
):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    path = with_contacts(export_file(tmp_path, owner, active_pledge), private_key, LOOK_ALIKES[:2])
    err = io.StringIO()
    out = io.StringIO()
    call_command("notify", "--key", str(key_file), "--file", path, stdout=out, stderr=err)
    assert mail.outbox == []
    assert "NOT SENT to 2 address(es) at an employer domain" in err.getvalue()
    assert "Sent 0 of 0" in out.getvalue()


def test_notify_refuses_domains_given_on_the_command_line(
    tmp_path,
    owner,
    active_pledge,  # noqa: F811
    key_file,  # noqa: F811
    private_key,
    settings,
):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    # The server's list could be emptied by whoever runs it: the committee's own holds.
    data = json.loads(Path(export_file(tmp_path, owner, active_pledge)).read_text(encoding="utf-8"))
    data["campaign"]["employer_domains"] = []
    stripped = tmp_path / "stripped.json"
    stripped.write_text(json.dumps(data))
    path = with_contacts(str(stripped), private_key, LOOK_ALIKES[2:])
    call_command(
        "notify",
        "--key",
        str(key_file),
        "--file",
        path,
        "--employer-domain",
        "acme.com",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert mail.outbox == []

"""The pledge go-ahead, which `concerted notify` used to mail to every pledger with an
address, is a message to "Pledgers, once the pledge is confirmed" sent by `concerted
send`: only those who agreed and didn't stop get it, employer addresses in any spelling
get nothing, and `concerted notify` itself sends nothing any more."""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core import export as export_format
from concerted.core import sealing
from concerted.core.days import today
from concerted.messaging.models import Message
from concerted.pledges.models import PLEDGE_KIND, Commitment, Pledge

from .conftest import smtp_args
from .test_send import run

pytestmark = pytest.mark.django_db(transaction=True)

# One for each of the five pledges with an address (Carla's is declined, so not counted).
LOOK_ALIKES = [
    "ana@\uff41\uff43\uff4d\uff45.com",
    "bo@ac\u00adme.com",
    "cy@acme.com\u200b",
    "di@MAIL.ACME\u3002COM.",
    "eve@Acme.Com",
]


def pledge_post(pledge: Pledge, name: str, contact: str = "", consent: bool = True) -> str:
    """Through the real form; returns the receipt code."""
    data = {"name": name, "contact": contact, **({"may_message": "on"} if consent else {})}
    response = Client().post(reverse("pledges:pledge", args=[pledge.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.search(r"/r/([A-Z2-7]{26})/", response["Location"]).group(1)


@pytest.fixture
def confirmed(campaign) -> Pledge:
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the tracker",
        promise="I will decline to install the tracker.",
        threshold_count=5,
        deadline=today() + datetime.timedelta(days=10),
    )
    pledge.open()
    pledge_post(pledge, "Ana", "ana@example.org")
    pledge.receipt_of_bo = pledge_post(pledge, "Bo", "bo@example.org")  # type: ignore[attr-defined]
    pledge_post(pledge, "Carla", "carla@example.org", consent=False)
    pledge_post(pledge, "Di", "di@example.net")
    pledge_post(pledge, "Di again", "DI@example.net ")
    pledge_post(pledge, "Eve", consent=False)  # no contact: ticking would be refused on the form
    assert pledge.confirm(5)
    return pledge


def compose_from_the_dashboard(as_user, pledge: Pledge) -> Message:
    organizer = as_user("owner")
    dashboard = organizer.get(reverse("pledges:dashboard", args=[pledge.pk])).content.decode()
    link = re.search(r'href="([^"]*\?to=pledges\.confirmed:[^"]+)"', dashboard).group(1).replace("&amp;", "&")
    form = organizer.get(link).content.decode()
    assert "Go: Refuse the tracker" in form and "I will decline to install the tracker." in form
    assert f'value="pledges.confirmed:{pledge.pk}" selected' in form
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', form).group(1)
    body = re.search(r'<textarea name="body"[^>]*>\s*(.*?)</textarea>', form, re.S).group(1)
    response = organizer.post(
        link, {"audience_choice": f"pledges.confirmed:{pledge.pk}", "subject": subject, "body": body}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Message.objects.get(audience="pledges.confirmed")


def test_the_go_ahead_reaches_only_pledgers_who_agreed_and_didnt_stop(
    as_user, confirmed, download, key_file, smtp, tmp_path
):
    stopped = Client().post(
        reverse("messaging:stop_by_receipt"),
        {"kind": Commitment._meta.label, "code": confirmed.receipt_of_bo},  # type: ignore[attr-defined]
    )
    assert stopped.status_code == 200
    message = compose_from_the_dashboard(as_user, confirmed)
    out, _err = run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        *smtp_args(smtp),
    )  # fmt: skip
    # Ana and Di (once, though Di pledged twice); not Bo (stopped), Carla (declined), Eve (no contact).
    assert sorted(a.lower() for a in smtp.to()) == ["ana@example.org", "di@example.net"]
    assert all(len(rcpts) == 1 for rcpts, _mail in smtp.received)
    assert smtp.received[0][1]["Subject"] == "Go: Refuse the tracker"
    assert "Sent 2 messages" in out and "Skipped 1 record of people who stopped" in out


def with_contacts(path: Path, private_key, contacts: list[str]) -> Path:
    """The download with its records' email contacts replaced and sealed again, as an
    older server (whose forms let these in) or a forged file would hold them."""
    data = json.loads(path.read_text(encoding="utf-8"))
    emails = iter(contacts)
    for record in data["export"]["records"]:
        ids = export_format.expected_ids(data["export"], record)
        clear = sealing.open_sealed(private_key, base64.b64decode(record["sealed"]), kind=PLEDGE_KIND, ids=ids)
        if "@" in str(clear.get("contact") or ""):
            clear["contact"] = next(emails, clear["contact"])
            resealed = sealing.seal(private_key.public_key, kind=PLEDGE_KIND, ids=ids, data=clear)
            record["sealed"] = base64.b64encode(resealed).decode()
    forged = path.with_name("look-alikes.json")
    forged.write_text(json.dumps(data), encoding="utf-8")
    return forged


def test_the_go_ahead_never_mails_an_employer_address_in_any_spelling(
    as_user, confirmed, download, key_file, private_key, smtp, tmp_path
):
    message = compose_from_the_dashboard(as_user, confirmed)
    path = with_contacts(download(message), private_key, LOOK_ALIKES)
    _out, err = run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "a"), *smtp_args(smtp)
    )
    assert smtp.to() == []
    assert "NOT SENT to 4 addresses at an employer domain" in err

    # The server's list could be emptied by whoever runs it: the committee's own holds.
    data = json.loads(download(message).read_text(encoding="utf-8"))
    data["export"]["campaign"]["employer_domains"] = []
    stripped = tmp_path / "stripped.json"
    stripped.write_text(json.dumps(data))
    path = with_contacts(stripped, private_key, LOOK_ALIKES)
    run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "b"),
        "--employer-domain", "acme.com", *smtp_args(smtp),
    )  # fmt: skip
    assert smtp.to() == []


def test_concerted_notify_sends_nothing_and_says_what_to_use(confirmed, as_user, download, key_file, smtp, tmp_path):
    message = compose_from_the_dashboard(as_user, confirmed)
    old_call = [
        sys.executable, "-m", "concerted.cli", "notify", "--key", str(key_file), "--file", str(download(message)),
        "--from", "committee@example.org", "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run(old_call, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1
    assert "concerted send MESSAGE_ID" in result.stderr and "Nothing was sent." in result.stderr
    assert smtp.received == []

"""Compose, preview and the audience count on the server; the consent box on every
participant form; stop links and stopping from a receipt page; what send.json holds
and what the server keeps after a send."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.accounts.models import ExportToken
from concerted.core import records
from concerted.core.sealing import open_sealed
from concerted.core.testing import assert_absent, database_bytes, export_columns, server_log_file
from concerted.messaging.models import Message
from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db


def compose_data(petition, **extra) -> dict[str, str]:
    return {
        "audience_choice": f"petitions.signers:{petition.pk}",
        "subject": "We reached 40%",
        "body": "**Act on Monday.**",
        **extra,
    }


# --- compose --------------------------------------------------------------------------------


def test_it_composes_a_message(as_user, petition):
    response = as_user("owner").post(reverse("messaging:new", args=[petition.campaign_id]), compose_data(petition))
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("messaging:detail", args=[message.pk])
    assert (message.audience, message.audience_parent) == ("petitions.signers", str(petition.pk))
    assert message.prepared_on == datetime.date.today() and message.sent_count is None
    page = as_user("owner").get(response["Location"]).content.decode()
    assert "<strong>Act on Monday.</strong>" in page and f"concerted send {message.pk}" in page


def test_it_previews_without_saving(as_user, petition):
    response = as_user("owner").post(
        reverse("messaging:new", args=[petition.campaign_id]), compose_data(petition, preview="1")
    )
    assert response.status_code == 200 and not Message.objects.exists()
    page = response.content.decode()
    assert "<strong>Act on Monday.</strong>" in page and "/stop/PREVIEW-STOP-LINK/" in page


def test_it_keeps_what_was_typed_on_bad_input(as_user, petition):
    response = as_user("owner").post(
        reverse("messaging:new", args=[petition.campaign_id]), compose_data(petition, subject="", body="Kept text")
    )
    assert response.status_code == 400 and "Kept text" in response.content.decode()
    response = as_user("owner").post(
        reverse("messaging:new", args=[petition.campaign_id]), compose_data(petition, audience_choice="x:y")
    )
    assert response.status_code == 400 and not Message.objects.exists()


def test_compose_refuses_the_wrong_method_outsiders_and_anonymous(as_user, petition, message):
    new = reverse("messaging:new", args=[petition.campaign_id])
    assert as_user("owner").put(new).status_code == 405
    assert as_user("owner").post(reverse("messaging:detail", args=[message.pk])).status_code == 405
    assert as_user("owner").post(reverse("messaging:list", args=[petition.campaign_id])).status_code == 405
    for url in (
        new,
        reverse("messaging:detail", args=[message.pk]),
        reverse("messaging:list", args=[petition.campaign_id]),
    ):
        assert as_user("outsider").get(url).status_code == 404
        response = as_user("anonymous").get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert as_user("outsider").get(reverse("messaging:send_json", args=[message.pk])).status_code == 404


def test_the_audience_count_hides_small_groups_and_waits_a_day(as_user, petition, sign):
    page = lambda: as_user("owner").get(reverse("messaging:list", args=[petition.campaign_id])).content.decode()  # noqa: E731
    for i in range(4):
        sign(f"p{i}@example.net")
    sign("nope@example.net", consent=False)
    assert "fewer than 5" in page()
    fresh = sign("today@example.net")
    Signature.objects.filter(pk=fresh.signature.pk).update(day=datetime.date.today())
    assert "fewer than 5" in page()  # today's arrival isn't counted yet: no timing
    sign("p4@example.net")
    assert re.search(r'class="count">5<', page())


# --- what the sender downloads, what the server keeps ---------------------------------------


def test_send_json_holds_only_those_who_agreed_sealed(client, owner, petition, message, sign, private_key):
    sign("ana@example.net")
    sign("bo@example.net", consent=False)
    _obj, token = ExportToken.issue(owner, "laptop")
    response = client.get(reverse("messaging:send_json", args=[message.pk]), HTTP_AUTHORIZATION=f"Bearer {token}")
    data = json.loads(response.content)
    assert data["format"] == "concerted-message/1" and data["message"]["subject"] == "We reached 40%"
    assert len(data["export"]["records"]) == 1 and "ana@example.net" not in response.content.decode()
    (record,) = data["export"]["records"]
    assert set(record) == {"id", "sealed"}  # "stopped" is sealed with the day, in the export's columns
    assert export_columns(data["export"], private_key, record)["stopped"] is False


def test_an_unconfirmed_pledge_refuses_the_confirmed_audience(as_user, campaign):
    from concerted.pledges.models import Pledge

    pledge = Pledge.objects.create(
        campaign=campaign, title="T", promise="P", threshold_count=5, deadline=datetime.date.today()
    )
    pledge.open()
    message = Message.objects.create(
        campaign=campaign, audience="pledges.confirmed", audience_parent=str(pledge.pk), subject="S", body="B"
    )
    response = as_user("owner").get(reverse("messaging:send_json", args=[message.pk]))
    assert response.status_code == 403 and "not confirmed" in response.content.decode()


def test_the_sender_reports_a_total_and_nothing_else(client, owner, outsider, message):
    url = reverse("messaging:report_sent", args=[message.pk])
    _obj, token = ExportToken.issue(owner, "laptop")
    _obj, other = ExportToken.issue(outsider, "theirs")
    assert client.post(url, "{}", content_type="application/json").status_code == 401
    assert (
        client.post(
            url, '{"sent": 3}', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}"
        ).status_code
        == 404
    )
    assert (
        client.post(url, "x", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 400
    )
    assert (
        client.post(
            url, '{"sent": 3}', content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 200
    )
    assert client.get(url).status_code == 405
    message.refresh_from_db()
    assert message.sent_count == 3 and message.reported_on == datetime.date.today()


@pytest.fixture
def server_log(tmp_path):
    """The server's log file as production writes it (redaction filter on), catching
    every logger of this process, the live server's thread included. The stand-in mail
    server's own log (aiosmtpd's "mail.log") is left out: it is the committee's mail
    provider, which sees the recipients by design (docs/MESSAGING.md), not the server."""
    with server_log_file(
        tmp_path / "concerted.log", keep=lambda record: not record.name.startswith("mail.log")
    ) as path:
        yield path


def backup_bytes(path) -> bytes:  # type: ignore[no-untyped-def]
    """A plain `concerted backup` as an attacker reads it: the SQLite file, or the SQL
    that pg_restore makes of pg_dump's (compressed) archive."""
    import subprocess

    from concerted.core import dbtools

    if dbtools.backup_kind(path) == "sqlite":
        return path.read_bytes()
    return subprocess.run(
        [dbtools.pg_binary("pg_restore"), "--file=-", str(path)], capture_output=True, check=True, timeout=120
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_a_send_leaves_no_contact_on_the_server(
    live_server, owner, message, sign, key_file, smtp, tmp_path, server_log, campaign
):
    """Invariant 1 after a whole send through the server (download, report): the
    database and its WAL, the server's log and a backup made after the send hold no
    contact and nothing per recipient; the new tables (messages, survey contacts)
    included."""
    from django.core.management import call_command

    from concerted.surveys import answering
    from concerted.surveys.models import Survey

    from .conftest import smtp_args

    # Domains as unique as the names: PostgreSQL's WAL is shared by the whole suite, and
    # other tests legitimately keep addresses at example.org (an organizer's login).
    contacts = ["zanzibarian.quokka@quokka-post.example", "uniquely.named.person@named-person-mail.example"]
    for contact in contacts:
        sign(contact)
    survey = Survey.objects.create(
        campaign=campaign, title="S", status=Survey.Status.CLOSED, asks_for_contact=True, one_per_invite=False
    )
    answering.submit(survey, {}, {}, contact="respondent.xylophonist@xylophone-post.example")
    _obj, token = ExportToken.issue(owner, "laptop")
    out = io.StringIO()
    call_command(
        "send", str(message.pk), "--server", live_server.url, "--token", token, "--key", str(key_file), "--send",
        "--journal", str(tmp_path / "j"), *smtp_args(smtp), stdout=out,
    )  # fmt: skip
    assert sorted(smtp.to()) == sorted(contacts)
    message.refresh_from_db()
    assert message.sent_count == 2
    backup = tmp_path / "after-send.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    needles = (
        *contacts, "zanzibarian", "uniquely.named", "respondent.xylophonist",
        "quokka-post", "named-person-mail", "xylophone-post",
    )  # fmt: skip
    at_rest = {
        "database": database_bytes(),
        **records_files(),
        "log": server_log.read_bytes(),
        "backup": backup_bytes(backup),
    }
    for name, blob in at_rest.items():
        try:
            assert_absent(blob, *needles)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
    # Not vacuous: the backup is readable (the message's subject is kept in the clear),
    # and the log file caught this run's records.
    assert message.subject.encode() in at_rest["backup"] and at_rest["log"]
    assert Signature.objects.filter(may_message=True).count() == 2  # sending changed no row


def records_files() -> dict[str, bytes]:
    from concerted.core.testing import raw_files

    return raw_files(include_pg_wal=True)


# --- participants: consent and stopping ---------------------------------------------------


def test_every_participant_form_asks_for_consent_unticked(petition, campaign):
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
    from concerted.pledges.models import Pledge

    pledge = Pledge.objects.create(
        campaign=campaign, title="T", promise="P", threshold_count=5, deadline=datetime.date.today()
    )
    pledge.open()
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="U", employer="E", union="Un", size=10, card_text=DEFAULT_CARD_TEXT,
        status=BargainingUnit.Status.OPEN,
    )  # fmt: skip
    for url in (
        reverse("petitions:sign", args=[petition.slug]),
        reverse("pledges:pledge", args=[pledge.slug]),
        reverse("cards:sign", args=[unit.slug]),
    ):
        page = Client().get(url).content.decode()
        box = re.search(r'<input type="checkbox" name="may_message"[^>]*>', page)
        assert box and "checked" not in box.group(0), url
        assert "The committee may write to me about this campaign" in page


def test_signing_with_consent_seals_a_stop_token(petition, private_key):
    client = Client()
    url = reverse("petitions:sign", args=[petition.slug])
    client.post(url, {"name": "Ana", "contact": "ana@example.net", "may_message": "on"})
    client.post(url, {"name": "Bo", "contact": "bo@example.net"})
    # No contact: nothing to write to, and the form says so instead of dropping the tick.
    assert client.post(url, {"name": "Cy", "may_message": "on"}).status_code == 400
    rows = {
        open_sealed(private_key, bytes(s.sealed), kind=s.KIND, ids=s.envelope_ids())["name"]: s
        for s in Signature.objects.all()
    }
    assert rows["Ana"].may_message and rows["Ana"].stop_hash
    assert not rows["Bo"].may_message and not rows["Bo"].stop_hash
    assert "Cy" not in rows


def test_a_stop_link_stops_only_on_post_and_answers_the_same_for_any_token(sign, key_file):
    from .test_send import _token_of

    done = sign("ana@example.net")
    token = _token_of(done.signature, key_file)
    client = Client()
    assert client.get(f"/stop/{token}/").status_code == 200
    assert Signature.objects.get().may_message
    known = client.post(f"/stop/{token}/")
    assert not Signature.objects.get().may_message
    unknown = client.post(f"/stop/{'x' * 24}/")
    again = client.post(f"/stop/{token}/")

    def strip(response):  # type: ignore[no-untyped-def]
        # The language links repeat the address typed, token included: that echo is the
        # visitor's own, and the same for every token.
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return page.replace(token, "TOKEN").replace("x" * 24, "TOKEN")

    assert known.status_code == unknown.status_code == again.status_code == 200
    assert strip(known) == strip(unknown) == strip(again)


def test_a_receipt_page_stops_messages(sign, petition):
    done = sign("ana@example.net")
    client = Client()
    page = client.get(reverse("petitions:receipt", args=[petition.slug, done.receipt_code])).content.decode()
    assert "Stop messages" in page
    response = client.post(
        reverse("messaging:stop_by_receipt"), {"kind": "petitions.Signature", "code": done.receipt_code}
    )
    assert response.status_code == 200 and not Signature.objects.get().may_message
    page = client.get(reverse("petitions:receipt", args=[petition.slug, done.receipt_code])).content.decode()
    assert "will not write to you" in page
    assert client.get(reverse("messaging:stop_by_receipt")).status_code == 405
    assert records.stop_messages("") == 0

"""`concerted tick`, `concerted notify` and `concerted reveal --pledge` on the organizer's side."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from nacl.public import PrivateKey

from concerted.core import keys
from concerted.core.reveal import EXPORT_PATHS
from concerted.pledges.models import Commitment, Pledge

from .conftest import move_deadline, pledge_post

pytestmark = pytest.mark.django_db

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def key_file(tmp_path, private_key):
    path = tmp_path / "committee.key"
    path.write_text(keys.format_private(private_key) + "\n")
    return path


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def export_file(tmp_path, owner, pledge) -> str:
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("pledges:export", args=[pledge.pk]))
    assert response.status_code == 200, response.content
    path = tmp_path / "pledge-export.json"
    path.write_bytes(response.content)
    return str(path)


@pytest.fixture
def active_pledge(pledge):
    pledge_post(pledge, name="Ana Email", contact="ana@example.org")
    pledge_post(pledge, name="Bo Phone", contact="+49 151 1234567")
    pledge_post(pledge, name="Cy Nocontact")
    pledge_post(pledge, name="Di Email", contact="di@example.net")
    pledge_post(pledge, name="=Eve Formula")
    assert pledge.confirm(pledge.count())
    return pledge


def test_tick_lapses_only_what_is_due(make_pledge, add_pledges):
    due = make_pledge(title="Due")
    add_pledges(due, 2)
    move_deadline(due, -1)
    waiting = make_pledge(title="Reached, waiting")
    add_pledges(waiting, 5, prefix="W")
    move_deadline(waiting, -1)
    running = make_pledge(title="Running")
    add_pledges(running, 1, prefix="R")
    out = run("tick")
    assert f"Lapsed: pledge {due.pk}" in out
    assert "1 pledge(s) lapsed." in out
    assert Pledge.objects.get(pk=due.pk).status == Pledge.Status.LAPSED
    assert Commitment.objects.filter(pledge=due).count() == 0
    assert Commitment.objects.filter(pledge=waiting).count() == 5
    assert Commitment.objects.filter(pledge=running).count() == 1
    assert "0 pledge(s) lapsed." in run("tick")  # idempotent


def test_reveal_opens_an_active_pledge(tmp_path, owner, active_pledge, key_file):
    assert EXPORT_PATHS["pledge"] == "/o/pledges/{id}/export.json"
    out_dir = tmp_path / "out"
    output = run(
        "reveal", "--key", str(key_file), "--file", export_file(tmp_path, owner, active_pledge), "--out", str(out_dir)
    )
    assert "Opened 5 record(s)" in output
    csv = (out_dir / f"pledges-{active_pledge.slug}.csv").read_text()
    assert "Ana Email" in csv and "+49 151 1234567" in csv
    assert "'=Eve Formula" in csv
    pdf = (out_dir / f"pledges-{active_pledge.slug}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")


def test_reveal_counts_a_reached_pledge_without_writing_names(tmp_path, owner, pledge, key_file):
    """Before confirmation the committee learns how many different people pledged (the
    server can't: it keeps every submission), and no names are written."""
    pledge_post(pledge, name="Ana Email", contact="ana@example.org")
    pledge_post(pledge, name="Ana Again", contact="ANA@example.org ")
    pledge_post(pledge, name="Bo Phone", contact="+49 151 1234567")
    pledge_post(pledge, name="Bo Again", contact="+49 (151) 123-4567")
    pledge_post(pledge, name="Cy Nocontact")
    out_dir = tmp_path / "out"
    output = run(
        "reveal", "--key", str(key_file), "--file", export_file(tmp_path, owner, pledge), "--out", str(out_dir)
    )
    assert "Different people: 3 (5 record(s): 3 different people, 2 repeat(s)" in output
    assert "1 without a contact" in output
    assert "no names written" in output and not out_dir.exists()
    assert not pledge.confirm(3)  # below the threshold of 5, however many submissions
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_notify_sends_one_email_per_person_through_the_local_backend(
    tmp_path, owner, active_pledge, key_file, settings
):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    path = export_file(tmp_path, owner, active_pledge)
    output = run("notify", "--key", str(key_file), "--file", path, "--from", "committee@example.org")
    assert "Sent 2 of 2 email(s)" in output
    assert "1 pledger(s) left a phone number" in output
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "di@example.net"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    message = mail.outbox[0]
    assert message.from_email == "committee@example.org"
    assert message.subject == f"Go: {active_pledge.title}"
    assert "I will decline to install the tracker." in message.body
    assert "Acme Workers Committee" in message.body


def test_notify_dry_run_sends_nothing(tmp_path, owner, active_pledge, key_file, settings):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    output = run("notify", "--key", str(key_file), "--file", export_file(tmp_path, owner, active_pledge), "--dry-run")
    assert "Dry run: would send 2 email(s)" in output
    assert "to ana@example.org" in output
    assert mail.outbox == []


def test_notify_uses_a_custom_message(tmp_path, owner, active_pledge, key_file, settings):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    message = tmp_path / "message.txt"
    message.write_text("Walk out at noon. {committee}", encoding="utf-8")
    path = export_file(tmp_path, owner, active_pledge)
    run("notify", "--key", str(key_file), "--file", path, "--message", str(message), "--subject", "Noon")
    assert mail.outbox[0].body == "Walk out at noon. Acme Workers Committee"
    message.write_text("Hello {name}", encoding="utf-8")
    with pytest.raises(CommandError, match="only"):
        run("notify", "--key", str(key_file), "--file", path, "--message", str(message))


def test_notify_refuses_a_pledge_that_is_not_active(tmp_path, owner, active_pledge, key_file, settings):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    data = json.loads(Path(export_file(tmp_path, owner, active_pledge)).read_text(encoding="utf-8"))
    data["parent"]["status"] = "open"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="not active"):
        run("notify", "--key", str(key_file), "--file", str(forged))
    assert mail.outbox == []


def test_notify_refuses_the_wrong_key_and_other_exports(tmp_path, owner, active_pledge, settings):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    path = export_file(tmp_path, owner, active_pledge)
    wrong = tmp_path / "wrong.key"
    wrong.write_text(keys.format_private(PrivateKey.generate()))
    with pytest.raises(CommandError, match="none of the records could be opened"):
        run("notify", "--key", str(wrong), "--file", path)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["kind"] = "petitions.signature"
    other = tmp_path / "petition.json"
    other.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="not a pledge"):
        run("notify", "--key", str(wrong), "--file", str(other))
    with pytest.raises(CommandError, match="Give --file"):
        run("notify", "--key", str(wrong))
    assert mail.outbox == []


def test_notify_refuses_a_record_moved_from_another_pledge(tmp_path, owner, active_pledge, key_file, settings):
    settings.EMAIL_BACKEND = EMAIL_BACKEND
    data = json.loads(Path(export_file(tmp_path, owner, active_pledge)).read_text(encoding="utf-8"))
    data["records"][0]["id"] = data["records"][1]["id"]  # a server swapping rows
    forged = tmp_path / "swapped.json"
    forged.write_text(json.dumps(data))
    err = io.StringIO()
    call_command("notify", "--key", str(key_file), "--file", str(forged), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert "REFUSED record" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_notify_from_the_server_explains_a_locked_export(live_server, pledge, owner, key_file, settings, add_pledges):
    from concerted.accounts.models import ExportToken

    settings.EMAIL_BACKEND = EMAIL_BACKEND
    add_pledges(pledge, 4)
    pledge_post(pledge, name="Mail Me", contact="mail.me@example.org")
    _token, raw = ExportToken.issue(owner, "laptop")
    args = ["--key", str(key_file), "--server", live_server.url, "--token", raw, "--pledge", str(pledge.pk)]
    with pytest.raises(CommandError, match="This pledge is not active"):
        run("notify", *args)
    assert pledge.confirm(pledge.count())
    assert "Sent 1 of 1 email(s)" in run("notify", *args)
    assert [m.to for m in mail.outbox] == [["mail.me@example.org"]]


def post_pledgers(pledge) -> None:
    """Seven submissions from five different people: two came back with their contact
    typed another way."""
    pledge_post(pledge, name="Ana Email", contact="ana@example.org")
    pledge_post(pledge, name="Ana Again", contact="ANA@example.org ")
    pledge_post(pledge, name="Bo Phone", contact="+49 151 1234567")
    pledge_post(pledge, name="Bo Again", contact="+49 (151) 123-4567")
    pledge_post(pledge, name="Cy Nocontact")
    pledge_post(pledge, name="Di Email", contact="di@example.net")
    pledge_post(pledge, name="Eve Phone", contact="+351 912 345 678")


def server_args(live_server, owner, key_file, pledge, tmp_path) -> list[str]:
    from concerted.accounts.models import ExportToken

    _token, raw = ExportToken.issue(owner, "laptop")
    return [
        "--key", str(key_file), "--server", live_server.url, "--token", raw,
        "--pledge", str(pledge.pk), "--out", str(tmp_path / "out"),
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_reveal_confirms_a_reached_pledge_on_the_server_counting_repeats_once(
    live_server, tmp_path, owner, pledge, key_file
):
    """The count the threshold is confirmed on is the committee's, found on its machine:
    seven submissions, five different people; the server records five."""
    post_pledgers(pledge)
    args = server_args(live_server, owner, key_file, pledge, tmp_path)
    output = run("reveal", *args, "--confirm")
    assert "Different people: 5 (7 record(s): 5 different people, 2 repeat(s)" in output
    assert "Confirmed on the server with 5 different people: the pledge is active" in output
    assert not (tmp_path / "out").exists()  # counting wrote no names
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.confirmed_count == 5
    # Confirmed: the same command now opens the names, each person once in the PDF.
    opened = run("reveal", *args)
    assert "Opened 7 record(s)" in opened
    with pytest.raises(CommandError, match="Nothing to confirm"):
        run("reveal", *args, "--confirm")


@pytest.mark.django_db(transaction=True)
def test_reveal_confirms_nothing_below_the_threshold_or_without_a_yes(
    live_server, tmp_path, owner, pledge, key_file, monkeypatch
):
    pledge_post(pledge, name="Ana Email", contact="ana@example.org")
    pledge_post(pledge, name="Ana Again", contact="ana@example.org")
    pledge_post(pledge, name="Ana Thrice", contact="ana@example.org")
    pledge_post(pledge, name="Bo Phone", contact="+49 151 1234567")
    pledge_post(pledge, name="Cy Nocontact")
    args = server_args(live_server, owner, key_file, pledge, tmp_path)
    with pytest.raises(CommandError, match="below the threshold"):
        run("reveal", *args, "--confirm")  # five submissions, three people
    pledge_post(pledge, name="Di Email", contact="di@example.net")
    pledge_post(pledge, name="Eve Email", contact="eve@example.net")
    # Not a terminal and no --confirm: it says how, and sends nothing.
    assert "Not confirmed. Run again with --confirm" in run("reveal", *args)
    # At a terminal the organizer is asked; anything but "yes" sends nothing.
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda: "no")
    assert "Not confirmed: nothing was sent" in run("reveal", *args)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN and pledge.confirmed_count is None
    monkeypatch.setattr("builtins.input", lambda: "yes")
    output = run("reveal", *args)
    assert "Confirm on the server with 5 different people (threshold 5)?" in output
    assert "Confirmed on the server with 5 different people" in output
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.confirmed_count == 5


def test_reveal_confirm_needs_the_server(tmp_path, owner, pledge, key_file, add_pledges):
    add_pledges(pledge, 5)
    with pytest.raises(CommandError, match="--confirm reports to the server"):
        run("reveal", "--key", str(key_file), "--file", export_file(tmp_path, owner, pledge), "--confirm")

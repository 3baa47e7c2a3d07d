"""`concerted tick` and `concerted reveal --pledge` on the organizer's side (writing to pledgers is
`concerted send`: concerted/messaging/tests/test_pledgers.py)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from concerted.core import keys
from concerted.core.reveal import EXPORT_PATHS
from concerted.pledges.models import Commitment, Pledge

from .conftest import move_deadline, pledge_post

pytestmark = pytest.mark.django_db


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
    assert "Opened 5 records:" in output
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
    assert "Different people: 3 (5 records: 3 different people, 2 repeats of the same contact" in output
    assert "1 without a contact" in output
    assert "no names written" in output and not out_dir.exists()
    assert not pledge.confirm(3)  # below the threshold of 5, however many submissions
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


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
    assert "Different people: 5 (7 records: 5 different people, 2 repeats of the same contact" in output
    assert "Confirmed on the server with 5 different people: the pledge is active" in output
    assert not (tmp_path / "out").exists()  # counting wrote no names
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.confirmed_count == 5
    # Confirmed: the same command now opens the names, each person once in the PDF.
    opened = run("reveal", *args)
    assert "Opened 7 records:" in opened
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

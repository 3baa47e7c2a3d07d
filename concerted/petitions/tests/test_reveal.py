"""`concerted reveal` round-trips: what was signed is what comes out, on the organizer's
machine; a wrong key or a moved record fails with a clear error."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from nacl.public import PrivateKey
from pypdf import PdfReader

from concerted.accounts.models import ExportToken
from concerted.core import keys
from concerted.petitions.signing import sign

SIGNERS = [
    {"name": "Zoë Ångström-Okafor", "contact": "zoe@example.org", "comment": '=HYPERLINK("x")', "consent_named": True},
    {"name": "李小龍", "contact": "+44 7700 900123", "comment": "Line one\nline two", "consent_named": True},
    {"name": "Hidden Person", "contact": "", "comment": "", "consent_named": False},
]


@pytest.fixture
def export_file(tmp_path, petition, owner):
    for signer in SIGNERS:
        sign(petition, signer)
    client = Client()
    client.force_login(owner)
    path = tmp_path / "export.json"
    path.write_bytes(client.get(reverse("petitions:export", args=[petition.pk])).content)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.django_db
def test_it_round_trips_from_a_file(tmp_path, key_file, export_file, petition, capsys):
    out = tmp_path / "out"
    call_command("reveal", key=str(key_file), file=str(export_file), out=str(out), stdout=io.StringIO())
    rows = read_csv(out / f"petitions-{petition.slug}.csv")
    assert sorted(r["name"] for r in rows) == sorted(s["name"] for s in SIGNERS)
    by_name = {r["name"]: r for r in rows}
    assert by_name["李小龍"]["comment"] == "Line one\nline two"
    assert by_name["Zoë Ångström-Okafor"]["comment"].startswith("'=")  # formula neutralized
    assert by_name["Hidden Person"]["consent_named"] == "False"
    assert oct((out / f"petitions-{petition.slug}.csv").stat().st_mode & 0o777) == "0o600"
    assert oct((out / f"petitions-{petition.slug}.pdf").stat().st_mode & 0o777) == "0o600"
    text = "".join(page.extract_text() for page in PdfReader(out / f"petitions-{petition.slug}.pdf").pages)
    assert petition.title in text
    assert "Signed by 3 coworkers" in text
    # Only 2 agreed to be named: fewer than 5, so the deliverable names nobody (safety in
    # numbers; test_deliverable_safety.py) and the organizer is told why.
    assert "Zoë Ångström-Okafor" not in text and "李小龍" not in text
    assert "more coworkers" not in text
    assert "Hidden Person" not in text
    assert "Only 2 signers agreed to be named" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_wrong_key_fails_clearly(tmp_path, export_file):
    wrong = tmp_path / "wrong.key"
    wrong.write_text(keys.format_private(PrivateKey.generate()))
    with pytest.raises(CommandError, match="none of the records could be opened with this key"):
        call_command("reveal", key=str(wrong), file=str(export_file), out=str(tmp_path / "o"))


@pytest.mark.django_db
def test_a_public_key_in_place_of_the_private_one_fails_clearly(tmp_path, export_file, private_key):
    pub = tmp_path / "committee.pub"
    pub.write_text(keys.format_public(private_key.public_key))
    with pytest.raises(CommandError, match="is the PUBLIC key"):
        call_command("reveal", key=str(pub), file=str(export_file), out=str(tmp_path / "o"))


@pytest.mark.django_db
def test_it_refuses_records_moved_or_swapped_by_the_server(tmp_path, key_file, export_file, petition):
    data = json.loads(export_file.read_text())
    a, b, _c = data["records"]
    a["sealed"], b["sealed"] = b["sealed"], a["sealed"]  # swap two rows
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 records could not be verified"):
        call_command("reveal", key=str(key_file), file=str(tampered), out=str(tmp_path / "o"), stderr=err)
    assert err.getvalue().count("does not match the row") == 2
    # A record from another petition, pasted into this export, is refused too.
    data = json.loads(export_file.read_text())
    data["parent"]["id"] = "00000000-0000-0000-0000-000000000000"
    tampered.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command("reveal", key=str(key_file), file=str(tampered), out=str(tmp_path / "o"), stderr=io.StringIO())


def test_it_explains_an_unreadable_export(tmp_path, key_file):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="not a Concerted sealed export"):
        call_command("reveal", key=str(key_file), file=str(bad), out=str(tmp_path))
    with pytest.raises(CommandError, match="Give --file"):
        call_command("reveal", key=str(key_file), out=str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_it_downloads_over_an_authenticated_request(live_server, tmp_path, key_file, petition, owner):
    for signer in SIGNERS:
        sign(petition, signer)
    _obj, token = ExportToken.issue(owner, "laptop")
    out = tmp_path / "out"
    # The real command-line entry point, in its own process, as an organizer runs it.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "concerted.cli",
            "reveal",
            "--server",
            live_server.url,
            "--petition",
            str(petition.pk),
            "--key",
            str(key_file),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={"CONCERTED_TOKEN": token, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Opened 3 records:" in result.stdout
    assert len(read_csv(out / f"petitions-{petition.slug}.csv")) == 3
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "concerted.cli",
            "reveal",
            "--server",
            live_server.url,
            "--petition",
            str(petition.pk),
            "--key",
            str(key_file),
            "--out",
            str(out),
            "--token",
            "cxt_nope",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert bad.returncode != 0
    assert "token is wrong or expired" in bad.stderr


def test_keys_new_writes_a_private_file_only_the_owner_reads(tmp_path):
    out = tmp_path / "keys"
    call_command("keys", "new", out=str(out), stdout=io.StringIO())
    private = out / "committee.key"
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    parsed = keys.parse_private(private.read_text())
    assert keys.parse_public((out / "committee.pub").read_text()) == parsed.public_key
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("keys", "new", out=str(out), stdout=io.StringIO())

"""Restore drill, short form (the full form runs in `make bench`): sign, `concerted
backup --encrypted` (age), `concerted restore --identity` into a fresh database; counts
equal, no name readable in the backup or the restored database, the committee key
opens every record, and an old receipt still works."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bench import drills
from concerted.core import dbtools

VENDOR = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


@pytest.mark.slow
def test_it_restores_a_backup_into_a_fresh_database_still_sealed():
    summary = drills.restore_drill(VENDOR, signatures=12, clients=4)
    assert summary["encrypted"]
    assert summary["counts_equal"] and summary["key_opens_all"] and summary["receipt_survives"]
    assert summary["name_absent_from_backup_and_restored_db"]


def test_it_finds_a_name_in_any_encoding_it_checks():
    # The absence check must be able to fail: plain, lower case, UTF-16 and hex (pg text dumps).
    name = "Zebulon Quartermaine"
    for blob in (name.encode(), name.lower().encode(), name.encode("utf-16-le"), b"\\x" + name.encode().hex().encode()):
        assert not drills.absent(b"..." + blob + b"...", name)
    assert drills.absent(b"nothing here", name)


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_private_backup_and_refuses_to_overwrite(tmp_path, petition):
    target = tmp_path / "b.backup"
    call_command("backup", str(target), stdout=io.StringIO())
    assert target.stat().st_mode & 0o777 == 0o600
    assert dbtools.backup_kind(target) == VENDOR
    assert dbtools.read_manifest(target)["counts"]["petitions_petition"] == 1
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(target))


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_a_database_with_data(tmp_path, petition):
    target = tmp_path / "b.backup"
    call_command("backup", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(target))


def test_it_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    with pytest.raises(dbtools.DbToolError, match="not a Concerted backup"):
        dbtools.backup_kind(bogus)


@pytest.fixture
def backup_key(tmp_path, settings):
    import subprocess

    identity = tmp_path / "committee-backup.key"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(
        subprocess.run(["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True).stdout
    )
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    settings.BACKUP_RECIPIENTS_FILE = recipients
    return identity


@pytest.mark.django_db(transaction=True)
def test_it_writes_only_age_ciphertext_and_deletes_backups_past_their_days(backup_key, settings, petition):
    from concerted.core import agebackup

    old = settings.BACKUP_DIR / "concerted-2001-01-01T033000Z.tar.age"
    old.write_bytes(b"age-encryption.org/v1\n...")
    settings.BACKUP_KEEP_DAYS = 7
    settings.CODE_KEY = ""
    settings.CODE_KEY_FILE = backup_key.parent / "codes.key"
    settings.CODE_KEY_FILE.write_text("cd" * 32)
    out = io.StringIO()
    call_command("backup", "--encrypted", stdout=out)
    (written,) = settings.BACKUP_DIR.iterdir()
    assert written.name.endswith(".tar.age") and agebackup.is_encrypted(written)
    assert written.stat().st_mode & 0o777 == 0o600
    assert not old.exists() and "Deleted 1 backup older than 7 days" in out.getvalue()
    assert b"petitions_petition" not in written.read_bytes()  # no table name, no manifest in the clear
    members = agebackup.unpack(agebackup.decrypt(written, backup_key))
    assert {"manifest.json", "codes.key", "database.sqlite3"} & set(members) >= {"manifest.json", "codes.key"}
    assert members["codes.key"] == b"cd" * 32


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_back_up_without_the_committee_backup_key(backup_key, settings, petition):
    settings.BACKUP_RECIPIENTS_FILE = backup_key.parent / "missing.txt"
    with pytest.raises(CommandError, match="No backup key"):
        call_command("backup", "--encrypted", stdout=io.StringIO())
    assert list(settings.BACKUP_DIR.iterdir()) == []
    # The key itself put in the variable, which names a file: said so.
    settings.BACKUP_RECIPIENTS_FILE = Path("age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq")
    with pytest.raises(CommandError, match="names a file, not the key"):
        call_command("backup", "--encrypted", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_it_asks_for_the_identity_of_an_encrypted_backup(backup_key, settings, petition):
    call_command("backup", "--encrypted", stdout=io.StringIO())
    (written,) = settings.BACKUP_DIR.iterdir()
    with pytest.raises(CommandError, match="pass --identity"):
        call_command("restore", str(written))

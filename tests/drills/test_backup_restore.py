"""Restore drill, short form (the full form runs in `make bench`): sign, `concerted
backup`, `concerted restore` into a fresh database; counts equal, no name readable in
the backup or the restored database, the committee key opens every record, and
de-duplication still holds with the key file restored."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command

from bench import drills
from concerted.core import dbtools

VENDOR = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


@pytest.mark.slow
def test_it_restores_a_backup_into_a_fresh_database_still_sealed():
    summary = drills.restore_drill(VENDOR, signatures=12, clients=4)
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

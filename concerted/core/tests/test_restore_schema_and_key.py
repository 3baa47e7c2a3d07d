"""A restore checks what it restores against the code and the key it will run with.

The schema: after "lose the machine" (a fresh install of the latest code, then last
night's backup) every page touching a table the backup lacked failed until someone ran
migrate; a backup from a newer release on older code passed restore and doctor, then
failed the same way. Now an older backup is migrated as part of the restore, and a newer
one is refused before anything is replaced, naming what to install.

The invite-code key: `make deploy` always writes a codes.key, so a plain backup restored
on a fresh install found "a key in place" and broke every printed invite code and ballot
card. The manifest carries a fingerprint of the key (a keyed hash that tells nothing
about it), and a restore refuses a key that doesn't match."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from concerted.core import agebackup, dbtools
from concerted.ops import doctor

from .test_restore_keys import KEY_HEX, backup_with_codes, code_results, restore, sqlite_only  # noqa: F401

OTHER_KEY = "cd" * 32  # what a fresh `make deploy` wrote on the new machine
FUTURE = "core.9999_from_a_newer_release"


def edit_manifest(backup: Path, change) -> None:
    path = dbtools.manifest_path(backup)
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def new_machine(tmp_path: Path, key: str | None) -> Path:
    data = tmp_path / "new-machine" / "concerted"
    data.mkdir(parents=True, mode=0o700)
    if key is not None:
        (data / "codes.key").write_text(key)
        (data / "codes.key").chmod(0o600)
    return data


# --- The schema ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_lists_the_applied_migrations_in_the_manifest(petition, tmp_path):
    backup = tmp_path / "b.db"
    call_command("backup", str(backup), stdout=io.StringIO())
    listed = dbtools.read_manifest(backup)["migrations"]
    assert "core.0003_sentform" in listed and "contenttypes.0001_initial" in listed


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_from_a_newer_release_before_replacing_anything(petition, tmp_path):
    backup = tmp_path / "b.db"
    call_command("backup", str(backup), stdout=io.StringIO())
    edit_manifest(backup, lambda m: m["migrations"].append(FUTURE))
    with pytest.raises(CommandError) as refused:
        call_command("restore", "--force", str(backup), stdout=io.StringIO())
    message = str(refused.value)
    assert "made by a newer release of Concerted" in message and FUTURE in message
    assert "Nothing was restored." in message and "git pull && make deploy" in message
    assert dbtools.read_manifest(backup)["day"] in message  # the release to install: of that day or later
    petition.refresh_from_db()  # still here: nothing was replaced


@pytest.mark.django_db(transaction=True)
def test_an_old_sqlite_backup_without_the_list_is_read_for_its_migrations(sqlite_only, petition, tmp_path):  # noqa: F811
    backup = tmp_path / "b.db"
    call_command("backup", str(backup), stdout=io.StringIO())
    edit_manifest(backup, lambda m: m.pop("migrations"))
    with sqlite3.connect(backup) as db:
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('core', ?, '2027-01-01')", [FUTURE[5:]])
    db.close()
    data = new_machine(tmp_path, None)
    refused = restore(backup, data)
    assert refused.returncode != 0
    assert "made by a newer release of Concerted" in refused.stderr and FUTURE in refused.stderr
    assert not (data / "concerted.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_an_older_release_is_migrated_as_it_is_restored(sqlite_only, petition, tmp_path):  # noqa: F811
    backup = tmp_path / "b.db"
    call_command("backup", str(backup), stdout=io.StringIO())
    # What a backup made before the sentform table existed holds.
    with sqlite3.connect(backup) as db:
        db.execute("DROP TABLE core_sentform")
        db.execute("DELETE FROM django_migrations WHERE app = 'core' AND name = '0003_sentform'")
    db.close()

    def older(manifest: dict) -> None:
        manifest["migrations"].remove("core.0003_sentform")
        manifest["counts"].pop("core_sentform")
        manifest["counts"]["django_migrations"] -= 1

    edit_manifest(backup, older)
    data = new_machine(tmp_path, None)
    done = restore(backup, data)
    assert done.returncode == 0, done.stderr
    assert "Row counts match the backup's manifest." in done.stdout
    assert "applied the 1 migration it lacked (core.0003_sentform)" in done.stdout
    with sqlite3.connect(data / "concerted.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM core_sentform").fetchone() == (0,)
    db.close()
    assert not (data / "concerted.sqlite3-wal").exists() or (data / "concerted.sqlite3-wal").stat().st_size == 0


@pytest.mark.django_db
def test_doctor_reports_applied_migrations_the_code_does_not_know():
    assert doctor.migrations(doctor.Context()) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('core', %s, CURRENT_TIMESTAMP)", [FUTURE[5:]]
        )
    found = doctor.migrations(doctor.Context())
    assert len(found) == 1 and FUTURE in found[0] and "newer release" in found[0]


# --- The invite-code key ------------------------------------------------------------------------


def test_the_fingerprint_is_stable_and_tells_nothing_of_the_key():
    print_ = agebackup.code_key_fingerprint(KEY_HEX)
    assert print_ == agebackup.code_key_fingerprint(f"{KEY_HEX}\n".encode())
    assert print_ != agebackup.code_key_fingerprint(OTHER_KEY)
    assert KEY_HEX not in print_ and "ab" * 4 not in print_
    assert agebackup.code_key_fingerprint(None) is None and agebackup.code_key_fingerprint("not hex") is None


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_plain_backup_whose_codes_were_made_with_another_key(backup_with_codes, settings, tmp_path):  # noqa: F811
    backup, _key, _pid, _made = backup_with_codes
    assert dbtools.read_manifest(backup)["code_key_fingerprint"] == agebackup.code_key_fingerprint(KEY_HEX)
    settings.CODE_KEY = ""
    settings.CODE_KEY_FILE = new_machine(tmp_path, OTHER_KEY) / "codes.key"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup), stdout=io.StringIO())
    message = str(refused.value)
    assert "made with another invite-code key" in message and "Nothing was restored." in message
    assert f"install -D -m 600 codes.key {settings.CODE_KEY_FILE}" in message
    assert "already holds data" not in message  # refused first
    assert settings.CODE_KEY_FILE.read_text() == OTHER_KEY


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_key_deploy_made_and_takes_the_old_one(sqlite_only, backup_with_codes, tmp_path):  # noqa: F811
    backup, key, petition_id, made = backup_with_codes
    data = new_machine(tmp_path, OTHER_KEY)
    refused = restore(backup, data)
    assert refused.returncode != 0 and "made with another invite-code key" in refused.stderr
    assert not (data / "concerted.sqlite3").exists()
    (data / "codes.key").write_bytes(key.read_bytes())
    done = restore(backup, data)
    assert done.returncode == 0, done.stderr
    assert code_results(data, petition_id, made) == ["valid"] * 3


@pytest.mark.django_db(transaction=True)
def test_an_old_backup_without_the_fingerprint_is_restored_with_a_warning(sqlite_only, backup_with_codes, tmp_path):  # noqa: F811
    backup, _key, _pid, _made = backup_with_codes
    edit_manifest(backup, lambda m: m.pop("code_key_fingerprint"))
    done = restore(backup, new_machine(tmp_path, OTHER_KEY))
    assert done.returncode == 0, done.stderr
    assert "Warning: this backup is older than the invite-code key's fingerprint" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_carries_the_fingerprint(petition, settings, tmp_path):
    import subprocess

    identity = tmp_path / "backup.key"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipients = tmp_path / "recipients.txt"
    recipients.write_bytes(subprocess.run(["age-keygen", "-y", str(identity)], check=True, capture_output=True).stdout)
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    settings.BACKUP_RECIPIENTS_FILE = recipients
    call_command("backup", "--encrypted", stdout=io.StringIO())
    written = next(settings.BACKUP_DIR.iterdir())
    members = agebackup.unpack(agebackup.decrypt(written, identity))
    manifest = json.loads(members["manifest.json"])
    assert manifest["code_key_fingerprint"] == agebackup.code_key_fingerprint(KEY_HEX)
    assert "core.0003_sentform" in manifest["migrations"]

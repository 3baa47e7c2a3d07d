"""Backup keys mixed up, backups that failed half-way, and a server with no backup yet:
each gets a message that says what happened and what to do (the real age binary, real
files)."""

from __future__ import annotations

import datetime
import errno
import json
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from nacl.public import PrivateKey

from concerted.core import agebackup, dbtools, keys
from concerted.ops import deploy, doctor


def age_key(path: Path) -> str:
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    return subprocess.run(["age-keygen", "-y", str(path)], check=True, capture_output=True, text=True).stdout.strip()


def test_a_pasted_public_key_line_says_to_keep_only_the_key(tmp_path):
    public = age_key(tmp_path / "backup.key")
    recipients = tmp_path / "backup-recipients.txt"
    recipients.write_text(f"Public key: {public}\n")
    with pytest.raises(dbtools.DbToolError, match=f"Keep only the key itself: {public}"):
        agebackup.read_recipients(recipients)


def test_a_private_backup_key_on_the_server_is_a_loud_warning(tmp_path):
    recipients = tmp_path / "backup-recipients.txt"
    age_key(recipients)  # age-keygen's whole file, private key and all, copied in
    with pytest.raises(dbtools.DbToolError, match="PRIVATE age key") as refused:
        agebackup.encrypt(b"a backup", recipients)
    assert "must never be on the server" in str(refused.value)


def test_the_campaign_key_or_another_key_given_as_identity_is_named(tmp_path):
    public = age_key(tmp_path / "backup.key")
    (tmp_path / "recipients").write_text(public + "\n")
    backup = tmp_path / "concerted-2026-05-01T033000Z.tar.age"
    backup.write_bytes(agebackup.encrypt(b"a backup", tmp_path / "recipients"))
    committee = tmp_path / "committee.key"
    committee.write_text(keys.format_private(PrivateKey.generate()) + "\n")
    with pytest.raises(dbtools.DbToolError, match="is a campaign key"):
        agebackup.decrypt(backup, committee)
    age_key(tmp_path / "other.key")
    with pytest.raises(dbtools.DbToolError, match="encrypted to another backup key"):
        agebackup.decrypt(backup, tmp_path / "other.key")
    truncated = tmp_path / "truncated.tar.age"
    truncated.write_bytes(backup.read_bytes()[:-20])
    with pytest.raises(dbtools.DbToolError, match="damaged or incomplete"):
        agebackup.decrypt(truncated, tmp_path / "backup.key")
    assert agebackup.decrypt(backup, tmp_path / "backup.key") == b"a backup"


def test_a_backup_that_could_not_be_written_leaves_no_part_file(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    (tmp_path / "recipients").write_text(age_key(tmp_path / "backup.key") + "\n")
    # A full disk, for real: the next minute's .part names lead to /dev/full (ENOSPC on write).
    now = datetime.datetime.now(datetime.UTC)
    for second in range(60):
        stamp = (now + datetime.timedelta(seconds=second)).strftime(agebackup.STAMP)
        (backups / f"concerted-{stamp}.tar.age.part").symlink_to("/dev/full")
    with override_settings(CODE_KEY_FILE=tmp_path / "no-codes.key"), pytest.raises(OSError) as full:
        agebackup.write_encrypted(
            "sqlite", b"a snapshot", {}, directory=backups, recipients=tmp_path / "recipients", keep_days=7
        )
    assert full.value.errno == errno.ENOSPC
    assert len(list(backups.iterdir())) == 59  # the one it wrote to is gone, and nothing else is new
    assert agebackup.latest(backups) is None


def test_expiry_removes_part_files_left_behind_and_doctor_ignores_them(tmp_path):
    now = datetime.datetime(2026, 5, 8, 3, 30, tzinfo=datetime.UTC)
    stale = tmp_path / "concerted-2026-05-01T033000Z.tar.age.part"
    writing = tmp_path / f"concerted-{now:%Y-%m-%dT%H%M%SZ}.tar.age.part"
    stale.write_bytes(b"")
    writing.write_bytes(b"")
    agebackup.expire(tmp_path, 7, now)
    assert not stale.exists() and writing.exists()
    keys_dir = tmp_path.parent / f"{tmp_path.name}-keys"
    keys_dir.mkdir()
    recipients = keys_dir / "recipients.txt"
    recipients.write_text(age_key(keys_dir / "backup.key") + "\n")
    with override_settings(BACKUP_DIR=tmp_path, BACKUP_RECIPIENTS_FILE=recipients, INSTALL_FILE=""):
        found = doctor.backups(doctor.Context(now=now))
    assert found == [f"No backup in {tmp_path}: backups are not running (concerted-backup.timer)."]


@pytest.fixture
def fresh_install(tmp_path):
    layout = deploy.Layout(tmp_path)
    layout.backups.mkdir(parents=True)
    layout.recipients.parent.mkdir(parents=True)
    layout.recipients.write_text(age_key(tmp_path / "backup.key") + "\n")
    installed = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    opts = deploy.Options(domain="x", installed=installed.isoformat())
    layout.install_json.write_text(json.dumps(opts.__dict__))
    with override_settings(
        BACKUP_DIR=layout.backups, BACKUP_RECIPIENTS_FILE=layout.recipients, INSTALL_FILE=str(layout.install_json)
    ):
        yield installed


def test_doctor_on_a_server_installed_today_says_when_the_first_backup_runs(fresh_install):
    found = doctor.backups(doctor.Context(now=fresh_install + datetime.timedelta(hours=3)))
    assert len(found) == 1 and isinstance(found[0], doctor.Note)
    assert "No backup yet" in found[0] and "concerted backup --encrypted" in found[0]


def test_doctor_a_day_after_the_install_calls_no_backup_a_problem(fresh_install):
    found = doctor.backups(doctor.Context(now=fresh_install + datetime.timedelta(days=2)))
    assert len(found) == 1 and not isinstance(found[0], doctor.Note)
    assert "backups are not running" in found[0]

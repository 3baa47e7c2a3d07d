"""Two backup mix-ups. A backup named with a future time (the clock was wrong the night
it was made) never expired, since its name always said "recent", and it hid from
`concerted doctor` that backups had stopped. And `concerted backup FILE --encrypted`
quietly wrote to the backup folder, not FILE."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from concerted.core import agebackup
from concerted.ops import doctor

from .test_backup_mixups import age_key

NOW = datetime.datetime(2026, 12, 2, 3, 30, tzinfo=datetime.UTC)


def backup(directory: Path, named: datetime.datetime, written: datetime.datetime) -> Path:
    path = directory / f"concerted-{named.strftime(agebackup.STAMP)}.tar.age"
    path.write_bytes(b"age-encryption.org/v1\n")
    os.utime(path, (written.timestamp(), written.timestamp()))
    return path


def test_a_future_named_backup_expires_by_its_file_time(tmp_path):
    future = NOW + datetime.timedelta(days=365)
    stale = backup(tmp_path, NOW - datetime.timedelta(days=8), NOW - datetime.timedelta(days=8))
    old_but_future_named = backup(tmp_path, future, NOW - datetime.timedelta(days=9))
    kept = backup(tmp_path, NOW - datetime.timedelta(days=1), NOW - datetime.timedelta(days=1))
    gone = agebackup.expire(tmp_path, 7, NOW)
    assert sorted(gone) == sorted([stale, old_but_future_named]) and kept.exists()


def test_one_written_while_the_clock_was_wrong_expires_keep_days_after_it_is_found(tmp_path):
    future = NOW + datetime.timedelta(days=365)
    wrong_clock = backup(tmp_path, future, future)  # its file time is in the future too
    assert agebackup.expire(tmp_path, 7, NOW) == [] and wrong_clock.exists()
    assert agebackup.file_time(wrong_clock) == NOW  # counted from the night it was found
    assert agebackup.expire(tmp_path, 7, NOW + datetime.timedelta(days=6)) == []
    assert agebackup.expire(tmp_path, 7, NOW + datetime.timedelta(days=8)) == [wrong_clock]


def test_doctor_is_not_fooled_by_a_future_named_backup(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(age_key(tmp_path / "backup.key") + "\n")
    future = backup(backups, NOW + datetime.timedelta(days=365), NOW - datetime.timedelta(days=5))
    backup(backups, NOW - datetime.timedelta(days=3), NOW - datetime.timedelta(days=3))
    assert agebackup.latest(backups, NOW)[0] != future
    with override_settings(BACKUP_DIR=backups, BACKUP_RECIPIENTS_FILE=recipients, INSTALL_FILE=""):
        found = doctor.backups(doctor.Context(now=NOW))
    assert len(found) == 2, found
    assert future.name in found[0] and "time still to come" in found[0] and "timedatectl" in found[0]
    assert "The newest backup is from 2026-11-29" in found[1] and "not running" in found[1]


@pytest.mark.django_db
def test_an_encrypted_backup_to_a_named_file_is_refused(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    target = tmp_path / "tonight.tar.age"
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(target), "--encrypted", stdout=io.StringIO())
    message = str(refused.value)
    assert str(settings.BACKUP_DIR) in message and str(target) in message and "Nothing was written." in message
    assert not target.exists() and list(settings.BACKUP_DIR.iterdir()) == []

"""A restore on a new machine, as docs/OPERATIONS.md tells it: the invite-code key and
the file modes.

Unused invite codes are stored as hashes keyed with codes.key, which a plain backup
doesn't hold. A restore that goes ahead without it leaves every printed card refused
once the server makes a new key on the first invite code, with nothing said but a
line in `concerted doctor`. So `concerted restore` refuses, before touching anything,
while no key is in place (--without-code-key restores anyway, with a warning), and it
leaves the data folder 0700 and the database 0600 whatever the umask.

The restores run `concerted` in a child process with a data folder that doesn't exist
yet, as on a new machine: SQLite only (on PostgreSQL the restore drill restores into a
fresh database)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from concerted.core import dbtools, hashing
from concerted.invites import codes

ROOT = Path(__file__).resolve().parents[3]
KEY_HEX = "ab" * 32  # the invite-code key conftest gives every test (CONCERTED_CODE_KEY)


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("restores into a new SQLite file in a new data folder; the restore drill covers PostgreSQL")


@pytest.fixture
def backup_with_codes(db, settings, tmp_path, petition):
    """A plain backup (manifest beside it) holding 3 unused invite codes, and the old
    server's codes.key."""
    assert settings.CODE_KEY == KEY_HEX
    hashing._master_key.cache_clear()  # whatever an earlier test left cached: this key
    _batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 3)
    old = tmp_path / "old-server"
    old.mkdir()
    (old / "codes.key").write_text(KEY_HEX)
    backup = tmp_path / "backups" / "concerted-2026-05-01.db"
    backup.parent.mkdir()
    call_command("backup", str(backup), stdout=io.StringIO())
    assert dbtools.read_manifest(backup)["counts"]["invites_invitecode"] == 3
    return backup, old / "codes.key", petition.pk, made


def child_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTED_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="concerted.settings",
        CONCERTED_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
    )
    return env


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    """As an administrator would, with the usual umask (files 0644, folders 0755)."""
    return subprocess.run(
        args,
        env=child_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,
    )


def restore(backup: Path, data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "concerted.cli", "restore", *extra, str(backup)], data_dir)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def code_results(data_dir: Path, petition_id: object, made: list[str]) -> list[str]:
    script = (
        "import django, sys; django.setup(); from concerted.invites import codes; "
        "print(' '.join(str(codes.check('petition', sys.argv[1], c)) for c in sys.argv[2:]))"
    )
    done = run([sys.executable, "-c", script, str(petition_id), *made], data_dir)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_before_touching_anything_when_the_code_key_is_missing(backup_with_codes, settings, tmp_path):
    backup, _key, _pid, _made = backup_with_codes
    settings.CODE_KEY = ""
    settings.CODE_KEY_FILE = tmp_path / "new-server" / "codes.key"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup), stdout=io.StringIO())
    message = str(refused.value)
    assert "The backup has 3 unused invite codes." in message
    assert "Nothing was restored." in message
    assert f"install -D -m 600 codes.key {settings.CODE_KEY_FILE}" in message
    assert "--without-code-key" in message
    assert "already holds data" not in message  # refused first: nothing was looked at or changed
    assert not settings.CODE_KEY_FILE.exists()


@pytest.mark.django_db(transaction=True)
def test_on_a_new_machine_it_refuses_without_the_key(sqlite_only, backup_with_codes, tmp_path):
    backup, _key, _pid, _made = backup_with_codes
    data = tmp_path / "new-machine" / "srv" / "concerted"  # doesn't exist yet
    refused = restore(backup, data)
    assert refused.returncode != 0
    assert "The backup has 3 unused invite codes." in refused.stderr
    assert f"install -D -m 600 codes.key {data / 'codes.key'}" in refused.stderr
    assert not (data / "concerted.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
def test_it_makes_the_data_folder_and_the_database_private(sqlite_only, petition, tmp_path):
    backup = tmp_path / "b.db"
    call_command("backup", str(backup), stdout=io.StringIO())  # no invite codes: no key needed
    data = tmp_path / "new-machine" / "srv" / "concerted"
    done = restore(backup, data)
    assert done.returncode == 0, done.stderr
    assert "Row counts match the backup's manifest." in done.stdout
    assert mode(data) == 0o700, oct(mode(data))
    assert (data / "concerted.sqlite3").exists()
    for suffix in ("", "-wal", "-shm"):
        path = data / f"concerted.sqlite3{suffix}"
        assert not path.exists() or mode(path) == 0o600, (path, oct(mode(path)))


@pytest.mark.django_db(transaction=True)
def test_without_the_key_it_restores_only_when_told_and_then_warns(sqlite_only, backup_with_codes, tmp_path):
    backup, _key, _pid, _made = backup_with_codes
    data = tmp_path / "new-machine" / "concerted"
    done = restore(backup, data, "--without-code-key")
    assert done.returncode == 0, done.stderr
    assert "Row counts match the backup's manifest." in done.stdout
    assert "Warning: the restored database has 3 unused invite codes" in done.stderr
    assert f"install -D -m 600 codes.key {data / 'codes.key'}" in done.stderr
    assert not (data / "codes.key").exists()  # the server, not the restore, would make a new one
    assert mode(data) == 0o700 and mode(data / "concerted.sqlite3") == 0o600


@pytest.mark.django_db(transaction=True)
def test_without_its_manifest_it_counts_the_codes_in_the_backup(sqlite_only, backup_with_codes, tmp_path):
    backup, _key, _pid, _made = backup_with_codes
    dbtools.manifest_path(backup).unlink()
    data = tmp_path / "new-machine" / "concerted"
    refused = restore(backup, data)
    assert refused.returncode != 0
    assert "The backup has 3 unused invite codes." in refused.stderr
    assert not (data / "concerted.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
def test_the_restore_steps_in_operations_md_work_as_written(sqlite_only, backup_with_codes, tmp_path):
    backup, key, petition_id, made = backup_with_codes
    text = (ROOT / "docs" / "OPERATIONS.md").read_text()
    section = text.split("\n## Restore\n", 1)[1]
    steps = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    assert "codes.key" in steps and "concerted restore" in steps
    new_machine = tmp_path / "new-machine"
    new_machine.mkdir()
    (new_machine / "codes.key").write_bytes(key.read_bytes())  # what the administrator brought
    script = steps.replace("/srv/backups/concerted-2026-05-01.db", str(backup)).replace(
        "/srv/concerted", str(new_machine / "root" / "concerted")
    )
    assert "/srv/" not in script.replace(str(tmp_path), "")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f'concerted() {{ "{sys.executable}" -m concerted.cli "$@"; }}\n{script}'],
        env=child_env(new_machine / "unused"),
        cwd=new_machine,
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,
    )
    assert done.returncode == 0, done.stderr
    assert "Row counts match the backup's manifest." in done.stdout
    data = new_machine / "root" / "concerted"
    assert mode(data) == 0o700 and mode(data / "codes.key") == 0o600 and mode(data / "concerted.sqlite3") == 0o600
    assert "unused invite codes" not in done.stderr
    assert code_results(data, petition_id, made) == ["valid"] * 3

"""What an operator's mistakes print: one line saying what is wrong and what to check,
never a traceback. Each runs the real `concerted` command on a real SQLite data folder
(SQLite whatever the pass: these are about the data folder the settings point at)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from concerted.core import mishaps

ROOT = Path(__file__).resolve().parents[3]


def concerted(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "CONCERTED_DATA_DIR": str(data), **env}
    return subprocess.run(
        [sys.executable, "-m", "concerted.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal, as under cron or a pipe
    )


def quiet_failure(result: subprocess.CompletedProcess[str]) -> str:
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Traceback" not in out, out
    return out


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("migrated")
    result = concerted(data, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    return data


def test_a_bad_setting_says_which_and_exits_2(tmp_path):
    result = concerted(tmp_path, "tick", CONCERTED_BACKUP_KEEP_DAYS="0")
    out = quiet_failure(result)
    assert result.returncode == 2
    assert "CONCERTED_BACKUP_KEEP_DAYS must be at least 1" in out


def test_a_backup_of_a_data_folder_migrations_never_ran_on_is_refused(tmp_path):
    empty = tmp_path / "typo"
    out = quiet_failure(concerted(empty, "backup", str(tmp_path / "nightly.db")))
    assert "has no tables" in out and str(empty) in out and "CONCERTED_DATA_DIR" in out
    assert not (tmp_path / "nightly.db").exists()
    assert not (empty / "concerted.sqlite3").exists()


def test_tick_on_a_data_folder_migrations_never_ran_on_says_so(tmp_path):
    out = quiet_failure(concerted(tmp_path / "typo", "tick"))
    assert "has no tables" in out and "CONCERTED_DATA_DIR" in out


def test_a_command_that_meets_a_missing_table_says_what_to_check(tmp_path):
    data = tmp_path / "typo"
    data.mkdir()
    sqlite3.connect(data / "concerted.sqlite3").execute("CREATE TABLE unrelated (x)").connection.close()
    out = quiet_failure(concerted(data, "organizer", "add", "alice", "--password-env", "PW", PW="a long password 1"))
    assert "has no tables" in out and str(data) in out


def test_a_damaged_plain_backup_is_named_and_leaves_no_database_behind(migrated, tmp_path):
    backup = tmp_path / "whole.db"
    assert concerted(migrated, "backup", str(backup)).returncode == 0
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 3])
    fresh = tmp_path / "new-server"
    out = quiet_failure(concerted(fresh, "restore", str(truncated)))
    assert "damaged or incomplete" in out
    assert not (fresh / "concerted.sqlite3").exists()


def test_organizer_add_without_a_terminal_says_how_to_give_the_password(migrated):
    out = quiet_failure(concerted(migrated, "organizer", "add", "alice"))
    assert "--password-env" in out


def test_organizer_add_names_an_unset_password_variable(migrated):
    out = quiet_failure(concerted(migrated, "organizer", "add", "alice", "--password-env", "NOT_SET_HERE"))
    assert "NOT_SET_HERE is not set" in out and "short" not in out


def test_doctor_via_without_a_port_says_what_it_wants(migrated):
    out = quiet_failure(concerted(migrated, "doctor", "--via", "127.0.0.1"))
    assert "HOST:PORT" in out


def test_traceback_still_shows_the_details_when_asked(tmp_path):
    result = concerted(tmp_path / "typo", "organizer", "add", "x", "--password-env", "PW", "--traceback", PW="p" * 12)
    assert "Traceback" in result.stderr


def test_a_file_the_service_user_cant_read_says_where_to_copy_it(migrated, tmp_path):
    # The operator's home, closed to the user the command runs as (on a server: root's
    # /root and the concerted user). Root reads everything: here it runs without that power.
    home = tmp_path / "home"
    home.mkdir()
    (home / "concerted-2026-05-01T033000Z.tar.age").write_bytes(b"age-encryption.org/v1\n")
    home.chmod(0)
    caps = "-dac_override,-dac_read_search"
    prefix = ["setpriv", "--bounding-set", caps, "--inh-caps", caps] if os.geteuid() == 0 else []
    environ = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "CONCERTED_DATA_DIR": str(migrated)}
    try:
        result = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "concerted.cli",
                "restore",
                str(home / "concerted-2026-05-01T033000Z.tar.age"),
            ],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        home.chmod(0o700)
    out = quiet_failure(result)
    assert "can't use" in out and "install -o" in out


def test_a_full_disk_and_a_read_only_database_are_explained(tmp_path):
    # The errors SQLite really raises, from a database with no room left and one opened read-only.
    path = tmp_path / "small.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count=2")
    with pytest.raises(sqlite3.OperationalError) as full:
        conn.execute("INSERT INTO t VALUES (?)", [b"x" * 100_000])
    conn.close()
    assert "disk is full" in (mishaps.explain(full.value) or "")
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as ro:
        readonly.execute("INSERT INTO t VALUES (1)")
    readonly.close()
    assert "who owns the data folder" in (mishaps.explain(ro.value) or "")


def test_a_new_data_folder_is_for_its_owner_only(tmp_path):
    """`make run` / a first `concerted migrate` made var/ 0755 and SQLite the database
    0644 in it: anyone with a login on the machine could copy every sealed record."""
    data = tmp_path / "fresh" / "var"
    result = concerted(data, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    assert data.stat().st_mode & 0o777 == 0o700

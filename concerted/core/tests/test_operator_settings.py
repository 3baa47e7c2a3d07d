"""Settings an operator can get wrong, found by an operator's fresh-eyes pass: each is
refused when the settings load, with one line naming the variable (never a traceback, and
never a 500 on the first signature later), or named by `concerted doctor`."""

from __future__ import annotations

import http.server
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.common import free_port
from concerted.core import records
from concerted.ops import doctor
from concerted.settings import env_public_url, env_rate

from .test_operator_mistakes import ROOT, concerted, quiet_failure

RATES = (
    "CONCERTED_PUBLIC_POST_RATE",
    "CONCERTED_GLOBAL_POST_RATE",
    "CONCERTED_LOGIN_RATE",
    "CONCERTED_BALLOT_POST_RATE",
)


# --- rates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RATES)
@pytest.mark.parametrize("bad", ["lots", "20/10", "10 per 15m", "20/10M", "20/10mins", "20/0m", "/m", "20 /m"])
def test_it_refuses_a_rate_the_limiter_cant_read_or_would_misread(monkeypatch, name, bad):
    monkeypatch.setenv(name, bad)
    with pytest.raises(ImproperlyConfigured, match=rf"^{name} must be a rate like 20/10m .*got {bad!r}$"):
        env_rate(name, "20/10m")


@pytest.mark.parametrize("good", ["20/10m", "12000/m", "100/1h", "5/d", "3/30s", " 10/15m "])
def test_it_keeps_a_rate_the_limiter_reads(monkeypatch, good):
    monkeypatch.setenv("CONCERTED_LOGIN_RATE", good)
    assert env_rate("CONCERTED_LOGIN_RATE", "10/15m") == good.strip()


def test_it_takes_an_empty_rate_as_the_default_and_an_empty_ceiling_as_none(monkeypatch):
    monkeypatch.setenv("CONCERTED_PUBLIC_POST_RATE", "")
    assert env_rate("CONCERTED_PUBLIC_POST_RATE", "20/10m") == "20/10m"
    monkeypatch.setenv("CONCERTED_GLOBAL_POST_RATE", "")
    assert env_rate("CONCERTED_GLOBAL_POST_RATE", "12000/m", off_when_empty=True) == ""  # documented: off
    monkeypatch.delenv("CONCERTED_GLOBAL_POST_RATE")
    assert env_rate("CONCERTED_GLOBAL_POST_RATE", "12000/m", off_when_empty=True) == "12000/m"


def test_it_stops_every_command_on_a_bad_rate_with_one_line(tmp_path):
    out = quiet_failure(concerted(tmp_path, "check", CONCERTED_PUBLIC_POST_RATE="lots"))
    assert "CONCERTED_PUBLIC_POST_RATE must be a rate like 20/10m" in out and "'lots'" in out
    assert len(out.strip().splitlines()) == 1, out


# --- the public address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "https://petition.example.org/?utm=x",
        "https://petition.example.org?utm=x",
        "https://petition.example.org#x",
        "https://petition.example.org/#",
        "https://petition.example.org/path",
        "https://petition.example.org//",
        "https://petition example.org",
        "https://organizer:secret@petition.example.org",
        "https://petition.example.org:http",
        "https://petition.example.org:99999",
        "https://petition.example.org:",
        "https://",
        "petition.example.org",
        "ftp://petition.example.org",
        "",
    ],
)
def test_it_refuses_a_public_address_that_is_more_than_scheme_host_and_port(monkeypatch, bad):
    monkeypatch.setenv("CONCERTED_PUBLIC_BASE_URL", bad)
    with pytest.raises(ImproperlyConfigured, match=r"^CONCERTED_PUBLIC_BASE_URL must start with http:// or https://"):
        env_public_url("CONCERTED_PUBLIC_BASE_URL", "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://petition.example.org", "https://petition.example.org"),
        ("https://petition.example.org/", "https://petition.example.org"),
        ("http://127.0.0.1:8102", "http://127.0.0.1:8102"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw.onion", None),
    ],
)
def test_it_keeps_a_public_address_of_scheme_host_and_port(monkeypatch, given, kept):
    monkeypatch.setenv("CONCERTED_PUBLIC_BASE_URL", given)
    assert env_public_url("CONCERTED_PUBLIC_BASE_URL", "http://127.0.0.1:8000") == (kept or given)


def test_it_stops_every_command_on_a_public_address_with_a_query(tmp_path):
    out = quiet_failure(concerted(tmp_path, "check", CONCERTED_PUBLIC_BASE_URL="https://petition.example.org/?utm=x"))
    assert "CONCERTED_PUBLIC_BASE_URL must start with http:// or https://" in out and "?utm=x" in out


# --- paths ------------------------------------------------------------------------------------


def test_it_names_a_log_file_in_a_missing_folder_or_a_folder(tmp_path):
    missing = tmp_path / "no-such-folder" / "concerted.log"
    out = quiet_failure(concerted(tmp_path / "data", "check", CONCERTED_LOG_FILE=str(missing)))
    assert f"CONCERTED_LOG_FILE: {missing} can't be written" in out, out
    out = quiet_failure(concerted(tmp_path / "data", "check", CONCERTED_LOG_FILE=str(tmp_path)))
    assert f"CONCERTED_LOG_FILE: {tmp_path} can't be written" in out, out


def test_it_names_a_secret_key_file_that_is_a_folder(tmp_path):
    out = quiet_failure(concerted(tmp_path / "data", "check", CONCERTED_SECRET_KEY_FILE=str(tmp_path)))
    assert f"CONCERTED_SECRET_KEY_FILE: the secret key file {tmp_path} can't be read" in out, out


def test_it_names_a_data_folder_that_is_a_file_or_cant_be_made(tmp_path):
    a_file = tmp_path / "concerted.sqlite3"
    a_file.write_text("")
    out = quiet_failure(concerted(a_file, "check"))
    assert f"CONCERTED_DATA_DIR must be a folder, but {a_file} is a file" in out, out
    out = quiet_failure(concerted(a_file / "data", "check"))
    assert f"CONCERTED_DATA_DIR: the data folder {a_file / 'data'} can't be created" in out, out


def test_it_names_a_data_folder_the_user_cant_write(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o500)  # made by root for a service that runs as another user
    # Root writes everywhere: here it runs without that power, as the service user would.
    caps = "-dac_override,-dac_read_search"
    prefix = ["setpriv", "--bounding-set", caps, "--inh-caps", caps] if os.geteuid() == 0 else []
    environ = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "CONCERTED_DATA_DIR": str(data)}
    try:
        results = [
            subprocess.run(
                [*prefix, sys.executable, "-m", "concerted.cli", "check"],
                cwd=ROOT,
                env=environ | extra,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            for extra in ({}, {"CONCERTED_SECRET_KEY": "k" * 60})
        ]
    finally:
        data.chmod(0o700)
    no_key, no_static = (quiet_failure(result) for result in results)
    assert f"CONCERTED_DATA_DIR: the secret key file {data / 'secret.key'} can't be read or made" in no_key
    assert f"CONCERTED_DATA_DIR: {data / 'static'} can't be made in the data folder" in no_static


def test_gunicorn_names_a_thread_count_that_is_no_number(tmp_path):
    env = {"PATH": os.environ["PATH"], "CONCERTED_DATA_DIR": str(tmp_path), "CONCERTED_THREADS": "many"}
    result = subprocess.run(
        [sys.executable, "-c", "import concerted.gunicorn_conf"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip() == "CONCERTED_THREADS must be a whole number, at least 1, got 'many'"


def test_gunicorn_stops_on_a_bad_setting_with_its_line_and_no_traceback(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "CONCERTED_DATA_DIR": str(tmp_path),
        "CONCERTED_TIME_ZONE": "Europe/Berln",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "concerted.wsgi", "--config", "python:concerted.gunicorn_conf"]
    process = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{free_port()}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert process.returncode != 0, out
    assert "Traceback" not in out, out
    assert "concerted: CONCERTED_TIME_ZONE must be a time zone name like Europe/Berlin" in out, out


# --- doctor -----------------------------------------------------------------------------------


def test_doctor_on_a_data_folder_without_a_database_says_so_and_makes_none(tmp_path):
    typo = tmp_path / "typo"
    result = concerted(typo, "doctor")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBLEM migrations"))
    assert "has no tables" in line and str(typo) in line and "CONCERTED_DATA_DIR" in line, line
    assert "Pending migrations" not in result.stdout
    assert not (typo / "concerted.sqlite3").exists()


def test_doctor_names_allowed_hosts_when_the_public_host_is_not_in_them(settings):
    settings.PUBLIC_BASE_URL = "https://petition.example.org"
    settings.DEBUG = False
    for allowed in ([], ["127.0.0.1", "other.example.org"]):
        settings.ALLOWED_HOSTS = allowed
        (problem,) = doctor.public_address(doctor.Context())  # without --via: from the settings
        assert "petition.example.org is not in CONCERTED_ALLOWED_HOSTS" in problem, problem
    settings.ALLOWED_HOSTS = []
    assert "(empty)" in doctor.public_address(doctor.Context())[0]
    settings.ALLOWED_HOSTS = [".example.org"]
    assert doctor.refused_host("petition.example.org") == []


class _Refuses(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_doctor_via_names_allowed_hosts_when_the_site_answers_400(settings):
    settings.PUBLIC_BASE_URL = "http://petition.example.org"
    settings.ALLOWED_HOSTS = ["petition.example.org"]  # here, but not on the app servers
    server = http.server.HTTPServer(("127.0.0.1", 0), _Refuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (problem,) = doctor.public_address(doctor.Context(via=f"127.0.0.1:{server.server_port}"))
    finally:
        server.shutdown()
        server.server_close()
    assert "answers 400" in problem and "CONCERTED_ALLOWED_HOSTS" in problem, problem


# --- two-factor reset -------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_resets_an_organizers_two_factor_from_the_command(owner):
    from concerted.accounts.models import RecoveryCode, TwoFactor

    two_factor = TwoFactor.start(owner)
    two_factor.confirmed = True
    two_factor.save()
    two_factor.new_recovery_codes()
    out = io.StringIO()
    call_command("organizer", "reset-2fa", owner.username, stdout=out)
    assert "Two-factor sign-in is off" in out.getvalue()
    assert not TwoFactor.objects.filter(user=owner).exists()
    assert not RecoveryCode.objects.filter(user=owner).exists()
    out = io.StringIO()
    call_command("organizer", "reset-2fa", owner.username, stdout=out)
    assert "nothing to reset" in out.getvalue()
    with pytest.raises(CommandError, match="No organizer 'nobody'"):
        call_command("organizer", "reset-2fa", "nobody")


def test_the_operations_guide_resets_two_factor_with_the_concerted_command():
    text = (ROOT / "docs" / "OPERATIONS.md").read_text()
    assert "concerted organizer reset-2fa NAME" in text
    assert "manage.py shell" not in text


# --- migrating back ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_storage_is_left_alone_for_a_table_the_migration_state_lacks(monkeypatch):
    tables = records.unordered_tables()
    erased = records.erased_tables()
    monkeypatch.setattr(records, "unordered_tables", lambda: [*tables, "concerted_not_at_this_migration"])
    monkeypatch.setattr(records, "erased_tables", lambda: [*erased, "concerted_not_at_this_migration"])
    records.ensure_storage()  # SQLite and PostgreSQL alike: no error, nothing made


def test_migrating_back_and_forward_again_keeps_working(tmp_path):
    assert concerted(tmp_path, "migrate", "-v0").returncode == 0
    back = concerted(tmp_path, "migrate", "core", "0002", "-v0")
    assert back.returncode == 0, back.stdout + back.stderr
    again = concerted(tmp_path, "migrate", "-v0")
    assert again.returncode == 0, again.stdout + again.stderr
    db = sqlite3.connect(tmp_path / "concerted.sqlite3")
    try:
        for table in records.unordered_tables():  # rebuilt again, as after every migrate
            (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
            assert "WITHOUT ROWID" in sql.upper(), table
    finally:
        db.close()

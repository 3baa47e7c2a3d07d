"""`concerted doctor` on the installed site: it passes on a fresh install, and each
check fails, by name, when exactly the thing it checks is broken (and put back)."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import shutil
import sqlite3
import subprocess

import pytest

from bench.common import free_port
from concerted.ops import deploy

from .installs import HOST

pytestmark = pytest.mark.slow

PROBLEM_RE = re.compile(r"^PROBLEM ([a-z-]+):", re.M)


@pytest.fixture(scope="module")
def site(serving):
    backup = serving.unit("concerted-backup.service").run()
    assert backup.returncode == 0, backup.stderr
    return serving


def doctor(site, *args: str, via: str = "", prefix: tuple[str, ...] = ()) -> tuple[set[str], str]:
    wrapper = ["sh", str(site.layout.wrapper)]
    result = subprocess.run(
        [
            *prefix,
            *wrapper,
            "doctor",
            "--via",
            via or f"{HOST}:{site.ports['https']}",
            "--cacert",
            str(site.caddy_ca),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    failed = set(PROBLEM_RE.findall(out))
    assert (result.returncode != 0) == bool(failed), out
    return failed, out


@contextlib.contextmanager
def env_changed(site, **changes: str):
    path = site.layout.env_file
    before = path.read_text()
    values = deploy.read_env(path)
    values.update(changes)
    deploy.write_file(path, deploy.render_env(values), 0o600)
    try:
        yield
    finally:
        deploy.write_file(path, before, 0o600)


@contextlib.contextmanager
def file_changed(path, text: str):
    before = path.read_text()
    path.write_text(text)
    try:
        yield
    finally:
        path.write_text(before)


def test_it_passes_on_the_fresh_install(site):
    failed, out = doctor(site)
    assert failed == set(), out
    assert "No problem found." in out


def test_it_names_a_loopback_public_address(site):
    with env_changed(site, CONCERTED_PUBLIC_BASE_URL=f"https://127.0.0.1:{site.ports['https']}"):
        failed, out = doctor(site)
    assert failed == {"public-address"}, out
    assert "loopback" in out


def test_it_names_an_unreachable_public_address(site):
    failed, out = doctor(site, via=f"{HOST}:{free_port()}")
    assert failed == {"public-address"}, out
    assert "does not answer" in out


def test_it_names_https_off_on_a_domain(site):
    with env_changed(site, CONCERTED_HTTPS="false"):
        failed, out = doctor(site)
    assert failed == {"https"}, out
    with env_changed(site, CONCERTED_PUBLIC_BASE_URL="http://concerted.test"):
        failed, out = doctor(site, via=f"{HOST}:{site.ports['app1']}")
    assert "https" in failed and "HTTPS is off" in out


def test_it_names_a_missing_or_weak_secret_key(site):
    with env_changed(site, CONCERTED_SECRET_KEY="short"):
        failed, out = doctor(site)
    assert failed == {"secret-key"}, out


def test_it_names_a_missing_code_key(site):
    key = site.layout.data / "codes.key"
    key.rename(key.with_name("codes.key.away"))
    try:
        failed, out = doctor(site)
    finally:
        key.with_name("codes.key.away").rename(key)
    assert failed == {"code-key"}, out


def test_it_names_weak_file_modes(site):
    for path in (site.layout.data / "codes.key", site.layout.env_file, site.layout.data / "concerted.sqlite3"):
        path.chmod(0o644)
        try:
            failed, out = doctor(site)
        finally:
            # SQLite gives a new -wal or -shm the database file's mode: put those back too.
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if p.exists():
                    p.chmod(0o600)
        assert failed == {"file-modes"}, out
        assert str(path) in out


def test_it_names_backups_that_are_not_running(site, tmp_path):
    directory = site.layout.backups
    for f in directory.iterdir():
        shutil.move(f, tmp_path / f.name)
    install_json = site.layout.install_json
    before = install_json.read_text()
    try:
        # A server installed today has had no night yet: said, but not a problem.
        saved = json.loads(before)
        saved["installed"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        install_json.write_text(json.dumps(saved))
        failed, out = doctor(site)
        assert failed == set(), out
        assert "note    backups: No backup yet" in out
        saved["installed"] = "2000-01-01T00:00:00+00:00"
        install_json.write_text(json.dumps(saved))
        failed, out = doctor(site)
        assert failed == {"backups"}, out
        assert "not running" in out
        # A backup three days old is as bad as none.
        old = next(tmp_path.glob("concerted-*.tar.age"))
        shutil.copy2(old, directory / "concerted-2000-01-01T033000Z.tar.age")
        failed, out = doctor(site)
        assert failed == {"backups"}, out
    finally:
        install_json.write_text(before)
        for f in directory.iterdir():
            f.unlink()
        for f in tmp_path.iterdir():
            shutil.move(f, directory / f.name)


def test_it_names_backups_that_are_not_encrypted(site):
    plain = site.layout.backups / "concerted-plain.db"
    site.concerted("backup", str(plain))
    try:
        failed, out = doctor(site)
    finally:
        plain.unlink()
        plain.with_name(plain.name + ".json").unlink()
    assert failed == {"backups"}, out
    assert "not encrypted" in out


def test_it_names_a_missing_backup_key(site):
    recipients = site.layout.recipients
    with file_changed(recipients, ""):
        failed, out = doctor(site)
    assert failed == {"backups"}, out
    assert "can't be encrypted" in out


def test_it_names_logs_that_would_hold_addresses(site):
    caddyfile = site.layout.caddyfile
    text = caddyfile.read_text()
    with file_changed(caddyfile, text.replace("\tencode gzip\n", "\tencode gzip\n\tlog\n")):
        failed, out = doctor(site)
    assert failed == {"logs"}, out
    assert "access log" in out
    with file_changed(caddyfile, text.replace("\t\texclude http.stdlib\n", "")):
        failed, out = doctor(site)
    assert failed == {"logs"}, out
    unit = site.layout.units / "concerted@.service"
    with file_changed(unit, unit.read_text().replace("--log-level", "--access-logfile - --log-level")):
        failed, out = doctor(site)
    assert failed == {"logs"}, out


def test_it_names_rate_limits_that_are_off(site):
    with env_changed(site, CONCERTED_RATELIMIT_MEMCACHED=f"{HOST}:{free_port()}"):  # nothing listens there
        failed, out = doctor(site)
    assert failed == {"rate-limit"}, out
    assert "does not answer" in out
    with env_changed(site, CONCERTED_RATELIMIT="false"):
        failed, out = doctor(site)
    assert failed == {"rate-limit"}, out
    with env_changed(site, CONCERTED_RATELIMIT_MEMCACHED=""):  # two app servers, each counting alone
        failed, out = doctor(site)
    assert failed == {"rate-limit"}, out
    assert "each would count on its own" in out


def test_it_names_a_wrong_clock(site):
    assert shutil.which("faketime"), "faketime is missing: run scripts/system-deps"
    failed, out = doctor(site, prefix=("faketime", "-f", "+3h"))
    assert failed == {"clock"}, out
    failed, out = doctor(site, prefix=("faketime", "-f", "-1d"))
    assert "clock" in failed, out


def test_it_names_low_disk_space(site):
    failed, out = doctor(site, "--min-free-mb", str(10**9))
    assert failed == {"disk"}, out


def test_it_names_pending_migrations(site):
    db = site.layout.data / "concerted.sqlite3"
    conn = sqlite3.connect(db)
    (row,) = conn.execute(
        "SELECT id, app, name, applied FROM django_migrations WHERE app='petitions' ORDER BY id DESC LIMIT 1"
    ).fetchall()
    with conn:
        conn.execute("DELETE FROM django_migrations WHERE id=?", (row[0],))
    try:
        failed, out = doctor(site)
    finally:
        with conn:
            conn.execute("INSERT INTO django_migrations (id, app, name, applied) VALUES (?, ?, ?, ?)", row)
        conn.close()
    assert failed == {"migrations"}, out
    assert f"petitions.{row[2]}" in out

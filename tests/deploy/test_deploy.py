"""`concerted deploy` into a throwaway root: units that systemd accepts and whose
ExecStart serves, HTTPS through Caddy with no client address in its logs, the onion
service through tor (offline), re-running as an upgrade, and failed upgrades that leave
the previous release serving."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from concerted.ops import deploy

from .installs import CLIENT, HOST, ROOT, get, onion_get, stop, wait_for

pytestmark = pytest.mark.slow

UNITS = [
    "concerted@{app1}.service",
    "concerted-onion.service",
    "concerted-tick.service",
    "concerted-tick.timer",
    "concerted-release.service",
    "concerted-release.timer",
    "concerted-backup.service",
    "concerted-backup.timer",
    "concerted.target",
]


def test_it_writes_units_that_systemd_analyze_verifies(install):
    names = [u.format(**install.ports) for u in UNITS]
    result = subprocess.run(
        ["systemd-analyze", "verify", *names], cwd=install.layout.units, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_it_writes_the_secrets_private_and_never_prints_them(install):
    layout = install.layout
    env = deploy.read_env(layout.env_file)
    assert len(env["CONCERTED_SECRET_KEY"]) >= 50
    for path in (layout.env_file, layout.data / "codes.key", layout.data / "concerted.sqlite3"):
        assert path.stat().st_mode & 0o077 == 0, path
    assert layout.data.stat().st_mode & 0o077 == 0
    again = install.deploy()
    assert again.returncode == 0, again.stdout + again.stderr
    for secret in (env["CONCERTED_SECRET_KEY"], (layout.data / "codes.key").read_text().strip()):
        assert secret not in again.stdout + again.stderr
    assert deploy.read_env(layout.env_file)["CONCERTED_SECRET_KEY"] == env["CONCERTED_SECRET_KEY"]


def test_each_app_unit_execstart_serves(serving):
    for name in ("app1", "app2"):
        assert get(serving.ports[name]) == 200
        assert get(serving.ports[name], f"/p/{serving.petition['slug']}/") == 200


def test_tor_starts_offline_and_writes_the_onion_hostname(install):
    layout = install.layout
    torrc = layout.torrc.read_text()
    assert "HiddenServiceExportCircuitID haproxy" in torrc
    assert f"HiddenServicePort 80 127.0.0.1:{install.ports['onion']}" in torrc
    data = install.base / "tor-data"
    data.mkdir(mode=0o700, exist_ok=True)
    proc = subprocess.Popen(
        [
            "tor", "-f", str(layout.torrc), "--defaults-torrc", "/dev/null", "--DataDirectory", str(data),
            "--DisableNetwork", "1", "--SocksPort", "0", "--Log", "notice stdout", "--RunAsDaemon", "0",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        hostname = layout.onion_dir / "hostname"
        wait_for(hostname.exists, timeout=60, what="tor to write the onion hostname")
        assert re.fullmatch(r"[a-z2-7]{56}\.onion", hostname.read_text().strip())
    finally:
        stop(proc)
    # The next deploy prints the address and serves the onion under it.
    result = install.deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    onion = hostname.read_text().strip()
    assert f"Onion address: http://{onion}/" in result.stdout
    assert onion in deploy.read_env(layout.env_file)["CONCERTED_ALLOWED_HOSTS"]
    assert deploy.read_env(layout.onion_env_file)["CONCERTED_PUBLIC_BASE_URL"] == f"http://{onion}"


def test_the_onion_unit_execstart_serves_what_tor_hands_over(install):
    proc = install.unit("concerted-onion.service").start(install.base / "onion.log")
    try:
        port = install.ports["onion"]
        onion = (install.layout.onion_dir / "hostname").read_text().strip()
        wait_for(lambda: onion_get(port, host=onion) == 200, what=f"the onion app server: {install.log('onion')}")
    finally:
        stop(proc)


class TorStream(http.client.HTTPConnection):
    """An onion visitor's connection as tor hands it to the onion app server: each new
    stream starts with a PROXY line naming the visitor's circuit. http.client opens a
    new one (as tor would) when the server closed the last; otherwise it reuses it."""

    def __init__(self, port: int, circuit: int) -> None:
        super().__init__(HOST, port, timeout=60)
        self.circuit = circuit

    def connect(self) -> None:
        super().connect()
        high, low = divmod(self.circuit, 0x10000)
        self.sock.sendall(f"PROXY TCP6 fc00:dead:beef:4dad::{high:x}:{low:x} ::1 4321 80\r\n".encode())

    def sign(self, onion: str, slug: str, contact: str) -> int:
        """GET the sign page and POST it, as Tor Browser does (keep-alive if allowed)."""
        self.request("GET", f"/p/{slug}/", headers={"Host": onion})
        page = self.getresponse()
        body = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "name": "Onion Signer", "contact": contact, "consent_named": "on"}
        )
        headers = {
            "Host": onion,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Sec-Fetch-Site": "same-origin",
        }
        self.request("POST", f"/p/{slug}/", body=form, headers=headers)
        response = self.getresponse()
        response.read()
        return response.status


def test_onion_visitors_are_limited_per_circuit_never_all_together(serving):
    """Every onion visitor reaches the app from tor's 127.0.0.1; the limit must count each
    circuit apart (a limit on 127.0.0.1 would lock every onion visitor out after a few
    signatures), and still stop one circuit that posts too often."""
    install = serving
    limit = 3
    env = {**install.unit("concerted-onion.service").env(), "CONCERTED_PUBLIC_POST_RATE": f"{limit}/d"}
    onion = deploy.read_env(install.layout.env_file)["CONCERTED_ALLOWED_HOSTS"].split(",")[-1]
    unit = install.unit("concerted-onion.service")
    with open(install.base / "onion-limit.log", "ab") as log:
        proc = subprocess.Popen(
            unit.argv(), env=env, cwd=unit.cwd(), stdout=log, stderr=log, start_new_session=True, umask=0o077
        )
    try:
        port = install.ports["onion"]
        wait_for(lambda: onion_get(port, host=onion) == 200, what=f"the onion app server: {install.log('onion-limit')}")
        slug = install.petition["slug"]
        base = secrets.randbelow(2**24) * 256
        visitors = [TorStream(port, base + n).sign(onion, slug, f"onion-{base + n}@x.test") for n in range(limit + 3)]
        assert visitors == [302] * (limit + 3), visitors
        one = TorStream(port, base + 200)
        statuses = [one.sign(onion, slug, f"onion-one-{n}-{base}@x.test") for n in range(limit + 2)]
        assert statuses == [302] * limit + [429] * 2, statuses
    finally:
        stop(proc)
    assert "dead:beef" not in install.log("onion-limit")


def test_the_tick_and_backup_units_run(install):
    tick = install.unit("concerted-tick.service").run()
    assert tick.returncode == 0, tick.stderr
    release = install.unit("concerted-release.service").run()
    assert release.returncode == 0, release.stderr
    backup = install.unit("concerted-backup.service").run()
    assert backup.returncode == 0, backup.stderr
    files = list(install.layout.backups.glob("concerted-*.tar.age"))
    assert files and all(f.read_bytes().startswith(b"age-encryption.org/v1") for f in files)
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)


def test_it_serves_the_sign_page_over_https_through_caddy_without_logging_the_client(serving):
    slug = serving.petition["slug"]
    result = serving.curl(f"/p/{slug}/", "-D", "-")
    assert result.stdout.strip().endswith("200"), result.stdout + result.stderr
    assert re.search(r"(?im)^strict-transport-security: max-age=\d+", result.stdout)
    assert serving.https_status("/no-such-page/") == 404
    serving.failed_handshakes()
    time.sleep(1)
    # Every byte Caddy wrote (its only log is stderr, collected here), not just the tail.
    logs = (serving.base / "caddy.log").read_text(errors="replace")
    assert CLIENT not in logs, logs[-3000:]
    # The logs are not simply empty: Caddy does write there (its start-up at least).
    assert logs.strip(), "Caddy wrote nothing at all"


def test_a_caddy_that_logged_would_be_caught(serving, tmp_path):
    """The log check above can fail: the same requests through a Caddy with its access
    log on leave the client's address in the log."""
    text = serving.layout.caddyfile.read_text().replace("\tencode gzip\n", "\tencode gzip\n\tlog\n")
    text = text.replace("\t\texclude http.stdlib\n", "").replace("level ERROR", "level DEBUG")
    loud = tmp_path / "Caddyfile"
    loud.write_text(text)
    stop(serving.procs.pop("caddy"))
    log = open(serving.base / "caddy-loud.log", "ab")
    proc = subprocess.Popen(
        ["caddy", "run", "--config", str(loud), "--adapter", "caddyfile"],
        env=serving.xdg(), stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    log.close()
    try:
        wait_for(lambda: serving.https_status("/privacy/") == 200, what="the logging Caddy")
        serving.failed_handshakes()
        time.sleep(1)
        assert CLIENT in serving.log("caddy-loud")
    finally:
        stop(proc)
        serving.start_caddy()


def test_rerunning_upgrades_in_place(install):
    layout = install.layout
    before = layout.current.resolve()
    result = install.deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    after = layout.current.resolve()
    assert after != before and after.parent == layout.releases
    assert (after / "venv").resolve() == (before / "venv").resolve()  # same pins, same environment
    assert "Installing the Python dependencies" not in result.stdout


def copy_source(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in deploy.RELEASE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        elif src.exists():
            shutil.copy2(src, source / name)
    (source / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    return source


def serving_release(install, proc) -> Path:
    """The release directory an app server runs from (gunicorn's working directory)."""
    return Path(os.readlink(f"/proc/{proc.pid}/cwd"))


def assert_failed_upgrade_leaves_previous_serving(install, result) -> None:
    layout = install.layout
    assert result.returncode != 0
    assert "still the one serving" in result.stdout
    assert len(list(layout.releases.iterdir())) == install.releases_before
    assert layout.current.resolve() == install.current_before
    # The running app server never stopped serving; and one started now (after a crash,
    # a reboot) starts the previous release, because `current` was never switched.
    assert get(install.ports["app1"]) == 200
    old = install.procs.pop("app1")
    os.killpg(old.pid, signal.SIGKILL)
    old.wait()
    install.start_app("app1")
    assert serving_release(install, install.procs["app1"]) == install.current_before


@pytest.fixture
def before_upgrade(serving):
    serving.current_before = serving.layout.current.resolve()
    serving.releases_before = len(list(serving.layout.releases.iterdir()))
    return serving


def test_a_failed_migration_leaves_the_previous_release_serving(before_upgrade, tmp_path):
    install = before_upgrade
    source = copy_source(tmp_path)
    migrations = sorted((source / "concerted" / "petitions" / "migrations").glob("0*.py"))
    (migrations[-1].parent / "9999_broken.py").write_text(
        "from django.db import migrations\n\n\n"
        "def fail(apps, schema_editor):\n    raise RuntimeError('this migration is broken on purpose')\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('petitions', '{migrations[-1].stem}')]\n"
        "    operations = [migrations.RunPython(fail)]\n"
    )
    result = install.deploy(source=source)
    assert "Migrating the database failed" in result.stdout
    assert "broken on purpose" in result.stdout
    assert_failed_upgrade_leaves_previous_serving(install, result)
    with sqlite3.connect(install.layout.data / "concerted.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM django_migrations WHERE name='9999_broken'").fetchone()[0] == 0


def test_a_broken_dependency_leaves_the_previous_release_serving(before_upgrade, tmp_path):
    install = before_upgrade
    source = copy_source(tmp_path)
    (source / "requirements.txt").write_text(
        (source / "requirements.txt").read_text() + "concerted-no-such-dependency==1.0\n"
    )
    # pip answers from an empty folder (no network): the new pin can't be met.
    empty = tmp_path / "wheels"
    empty.mkdir()
    result = install.deploy(source=source, env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(empty)})
    assert "Installing the dependencies (pip) failed" in result.stdout
    assert_failed_upgrade_leaves_previous_serving(install, result)
    assert len(list(install.layout.venvs.iterdir())) == 1  # the half-built environment is gone


def test_a_release_that_does_not_import_leaves_the_previous_release_serving(before_upgrade, tmp_path):
    install = before_upgrade
    source = copy_source(tmp_path)
    urls = source / "concerted" / "petitions" / "urls.py"
    urls.write_text("import concerted_module_that_is_not_installed  # noqa\n" + urls.read_text())
    result = install.deploy(source=source)
    assert "The new release's checks" in result.stdout
    assert_failed_upgrade_leaves_previous_serving(install, result)

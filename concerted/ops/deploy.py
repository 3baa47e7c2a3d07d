"""`concerted deploy` (or `make deploy`): install or upgrade Concerted on a Debian 12 server.

Standard library only: it runs with Debian's python3 before any virtual environment
exists. Run as root; running it again upgrades in place. Each release is copied into
its own directory with its own virtual environment; `current` is switched to the new
release only after its checks and migrations succeeded, so a failed upgrade (a broken
dependency, a migration error) leaves the running release serving and `current` where
it was.

With --root DIR everything is written under DIR instead of / and nothing is started,
no user is created and no package is installed: a throwaway root for tests and for a
look at what would be written."""

from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent.parent
DEBIAN_PACKAGES = ["python3-venv", "caddy", "tor", "age", "memcached", "curl"]
# What a release needs from the checkout: the code, its pins, the browser libraries.
RELEASE_FILES = ["concerted", "manage.py", "requirements.txt", "pyproject.toml", "package.json"]
NODE_PACKAGES = ["htmx.org", "libsodium", "libsodium-wrappers"]
KEEP_RELEASES = 3
# CONCERTED_PAPER's words (concerted/core/paper.py NAMES): written out, since deploy runs
# under the system's python3, before the app's own packages (Django) are installed.
PAPER_NAMES = ("a4", "letter")
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,:/@%+=\-\[\]]*$")


class DeployError(Exception):
    """A step failed; the message says what to do. Nothing was switched."""


@dataclass
class Options:
    """What deploy was asked for; saved in install.json so a bare re-run upgrades alike."""

    domain: str = ""
    onion: bool = False
    database_url: str = ""
    app_servers: int = 1
    workers: int = 2
    threads: int = 4
    app_port: int = 8001
    onion_port: int = 8090
    upstreams: list[str] = field(default_factory=list)  # app servers on other machines
    keep_days: int = 7
    memcached: str = "127.0.0.1:11211"
    user: str = "concerted"
    local_certs: bool = False  # Caddy's own CA instead of a public one (tests, intranets)
    http_port: int = 0  # 0: Caddy's defaults (80, 443)
    https_port: int = 0
    installed: str = ""  # when the first deploy ran (ISO 8601, UTC): doctor's "no backup yet"
    # CONCERTED_TIME_ZONE, the zone release times are read in ("Europe/Berlin"); empty:
    # what the settings file already says (an operator's own edit), else UTC.
    time_zone: str = ""
    # CONCERTED_PAPER, "a4" or "letter"; empty: what the settings file already says, else
    # none written, and the app picks the paper of the time zone's country.
    paper: str = ""


@dataclass
class Layout:
    root: Path

    def p(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    @property
    def etc(self) -> Path:
        return self.p("/etc/concerted")

    @property
    def env_file(self) -> Path:
        return self.etc / "env"

    @property
    def onion_env_file(self) -> Path:
        return self.etc / "onion.env"

    @property
    def recipients(self) -> Path:
        return self.etc / "backup-recipients.txt"

    @property
    def install_json(self) -> Path:
        return self.etc / "install.json"

    @property
    def home(self) -> Path:
        return self.p("/opt/concerted")

    @property
    def releases(self) -> Path:
        return self.home / "releases"

    @property
    def venvs(self) -> Path:
        return self.home / "venvs"

    @property
    def current(self) -> Path:
        return self.home / "current"

    @property
    def data(self) -> Path:
        return self.p("/var/lib/concerted")

    @property
    def backups(self) -> Path:
        return self.p("/var/backups/concerted")

    @property
    def units(self) -> Path:
        return self.p("/etc/systemd/system")

    @property
    def caddyfile(self) -> Path:
        return self.p("/etc/caddy/Caddyfile")

    @property
    def torrc(self) -> Path:
        return self.p("/etc/tor/torrc")

    @property
    def onion_dir(self) -> Path:
        return self.p("/var/lib/tor/concerted")

    @property
    def wrapper(self) -> Path:
        return self.p("/usr/local/bin/concerted")


def say(message: str) -> None:
    print(message, flush=True)


def run(
    args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, what: str = "", umask: int = -1
) -> str:
    result = subprocess.run(  # noqa: S603
        list(args), env=env, cwd=cwd, capture_output=True, text=True, check=False, umask=umask
    )
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip())[-3000:]
        raise DeployError(f"{what or Path(args[0]).name} failed:\n{detail}")
    return result.stdout


def succeeds(args: Sequence[str]) -> bool:
    return subprocess.run(list(args), capture_output=True, check=False).returncode == 0  # noqa: S603


def write_file(path: Path, text: str, mode: int = 0o644) -> bool:
    """Write atomically with the mode set before any byte lands; True if it changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        os.chmod(path, mode)
        return False
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True


# --- The environment file ------------------------------------------------------------------


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"')
    return values


def public_base_url(opts: Options, onion_host: str) -> str:
    if opts.domain:
        port = f":{opts.https_port}" if opts.https_port and opts.https_port != 443 else ""
        return f"https://{opts.domain}{port}"
    if onion_host:
        return f"http://{onion_host}"
    return ""


def env_values(layout: Layout, opts: Options, old: dict[str, str], onion_host: str) -> dict[str, str]:
    """Settings the app reads (concerted/settings.py). Secrets are made once and kept."""
    hosts = [h for h in (opts.domain, onion_host) if h]
    values = {
        "CONCERTED_SECRET_KEY": old.get("CONCERTED_SECRET_KEY") or secrets.token_urlsafe(50),
        "CONCERTED_DATA_DIR": str(layout.data),
        "CONCERTED_HTTPS": "true" if opts.domain else "false",
        "CONCERTED_BEHIND_PROXY": "true",
        "CONCERTED_CLIENT_IP_HEADER": "X-Forwarded-For",
        "CONCERTED_ALLOWED_HOSTS": ",".join(hosts) or "127.0.0.1",
        "CONCERTED_PUBLIC_BASE_URL": public_base_url(opts, onion_host) or "http://127.0.0.1",
        "CONCERTED_RATELIMIT_MEMCACHED": opts.memcached,
        "CONCERTED_BACKUP_DIR": str(layout.backups),
        "CONCERTED_BACKUP_RECIPIENTS": str(layout.recipients),
        "CONCERTED_BACKUP_KEEP_DAYS": str(opts.keep_days),
        "CONCERTED_INSTALL_FILE": str(layout.install_json),
        "CONCERTED_TIME_ZONE": opts.time_zone or old.get("CONCERTED_TIME_ZONE") or "UTC",
        "OPENBLAS_NUM_THREADS": "1",
    }
    if opts.database_url:
        values["DATABASE_URL"] = opts.database_url
    paper = opts.paper or old.get("CONCERTED_PAPER")
    if paper:
        values["CONCERTED_PAPER"] = paper
    for key, value in values.items():
        if not SAFE_VALUE.match(value):
            raise DeployError(
                f"{key} holds a character the environment file can't carry safely ({value[:12]}...): "
                "percent-encode it (e.g. a database password)."
            )
    return values


def next_env(layout: Layout, opts: Options, onion_host: str, *, new_secret_key: bool = False) -> dict[str, str]:
    """The settings this run will write: the current file's secrets kept, unless asked for
    a new secret key (it signs every organizer out, as sessions are signed with it; nothing else)."""
    old = read_env(layout.env_file)
    if new_secret_key:
        old.pop("CONCERTED_SECRET_KEY", None)
    return env_values(layout, opts, old, onion_host)


def render_env(values: dict[str, str]) -> str:
    head = (
        "# Concerted's settings, written by `concerted deploy` (mode 0600: it holds the secret key).\n"
        "# Edit with care and re-run deploy; the secret is generated once and kept.\n"
    )
    return head + "".join(f"{k}={v}\n" for k, v in values.items())


def ensure_code_key(layout: Layout) -> None:
    """Same format as concerted.core.hashing makes on first use; made here so that a
    backup taken before the first signature already carries it."""
    path = layout.data / "codes.key"
    if not path.exists():
        write_file(path, secrets.token_hex(32), 0o600)


# --- systemd units ------------------------------------------------------------------------

HARDENING = """\
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
UMask=0077
"""


def backup_calendar(time_zone: str) -> str:
    """When the nightly backup runs: 03:30 in the installation's zone (CONCERTED_TIME_ZONE),
    the night the organizers live in, rather than on whatever the server's clock is set to.
    Unset or UTC: no zone written, so the timer of a default installation stays as it was."""
    when = "*-*-* 03:30:00"
    return f"{when} {time_zone}" if time_zone and time_zone != "UTC" else when


def units(layout: Layout, opts: Options, time_zone: str = "") -> dict[str, str]:
    cur = layout.current
    env = f"EnvironmentFile={layout.env_file}\n"
    rw = f"ReadWritePaths={layout.data} {layout.backups}\n"
    user = f"User={opts.user}\nGroup={opts.user}\n"
    gunicorn = (
        f"{cur}/venv/bin/gunicorn concerted.wsgi --chdir {cur} --workers {opts.workers} "
        f"--threads {opts.threads} --log-level warning"
    )
    python = f"{cur}/venv/bin/python -m concerted.cli"
    out = {
        "concerted@.service": (
            "[Unit]\n"
            "Description=Concerted app server on 127.0.0.1:%i\n"
            "After=network.target postgresql.service memcached.service\n"
            "PartOf=concerted.target\n\n"
            "[Service]\n"
            f"Type=simple\n{user}{env}"
            f"WorkingDirectory={cur}\n"
            # No --access-logfile: gunicorn keeps no access log unless asked.
            f"ExecStart={gunicorn} --bind 127.0.0.1:%i\n"
            "Restart=always\nRestartSec=2\nKillMode=mixed\nTimeoutStopSec=30\n"
            f"{rw}{HARDENING}\n"
            "[Install]\nWantedBy=concerted.target\n"
        ),
        "concerted.target": (
            "[Unit]\nDescription=Concerted (every app server on this machine)\n\n[Install]\nWantedBy=multi-user.target\n"
        ),
        "concerted-tick.service": (
            "[Unit]\nDescription=Concerted: release due figures, lapse pledges, rewrite the participant tables\n"
            "After=network.target postgresql.service\n\n"
            f"[Service]\nType=oneshot\n{user}{env}WorkingDirectory={cur}\n"
            f"ExecStart={python} tick -v0\n{rw}{HARDENING}"
        ),
        "concerted-tick.timer": (
            "[Unit]\nDescription=Concerted: run tick every hour\n\n"
            "[Timer]\nOnCalendar=hourly\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n"
        ),
        # Public figures move at the campaign's release times ("16:30" too): checked every
        # five minutes, so a page's "next possible update" is when it happens. Releases only:
        # the hourly tick's table rewrite holds the write lock, and stays hourly.
        "concerted-release.service": (
            "[Unit]\nDescription=Concerted: release new public figures whose time has come\n"
            "After=network.target postgresql.service\n\n"
            f"[Service]\nType=oneshot\n{user}{env}WorkingDirectory={cur}\n"
            f"ExecStart={python} tick --quick -v0\n{rw}{HARDENING}"
        ),
        "concerted-release.timer": (
            "[Unit]\nDescription=Concerted: release due public figures every five minutes\n\n"
            "[Timer]\nOnCalendar=*:0/5\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n"
        ),
        "concerted-backup.service": (
            "[Unit]\nDescription=Concerted: nightly backup, encrypted with age to the committee's backup key\n"
            "After=network.target postgresql.service\n\n"
            f"[Service]\nType=oneshot\n{user}{env}WorkingDirectory={cur}\n"
            f"ExecStart={python} backup --encrypted\n{rw}{HARDENING}"
        ),
        "concerted-backup.timer": (
            "[Unit]\nDescription=Concerted: back up every night\n\n"
            f"[Timer]\nOnCalendar={backup_calendar(time_zone)}\nRandomizedDelaySec=20m\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"
        ),
    }
    if opts.onion:
        # tor hands each connection over with a PROXY header naming its circuit
        # (HiddenServiceExportCircuitID haproxy); gunicorn reads it, so the rate limit
        # tells onion visitors apart without any address existing. gunicorn reads that
        # header on a connection's first request only (a later one on the same
        # connection would come from tor's 127.0.0.1, one counter for every onion
        # visitor), hence --keep-alive 0: one request per connection, each with its
        # circuit. Caddy is not in this path: Debian's Caddy (2.6) can't read PROXY headers.
        out["concerted-onion.service"] = (
            "[Unit]\nDescription=Concerted app server for the onion service\n"
            "After=network.target postgresql.service memcached.service tor.service\n"
            "PartOf=concerted.target\n\n"
            f"[Service]\nType=simple\n{user}{env}EnvironmentFile={layout.onion_env_file}\n"
            f"WorkingDirectory={cur}\n"
            f"ExecStart={gunicorn} --bind 127.0.0.1:{opts.onion_port} --proxy-protocol "
            "--proxy-allow-from 127.0.0.1 --keep-alive 0\n"
            "Restart=always\nRestartSec=2\nKillMode=mixed\nTimeoutStopSec=30\n"
            f"{rw}{HARDENING}\n"
            "[Install]\nWantedBy=concerted.target\n"
        )
    return out


def app_ports(opts: Options) -> list[int]:
    return [opts.app_port + i for i in range(opts.app_servers)]


# --- Caddy and tor --------------------------------------------------------------------------


def caddyfile(opts: Options, *, admin: bool = True, plain_http_port: int = 0) -> str:
    """Caddy in front of the app servers. Its access log stays off (Caddy logs no request
    unless a `log` directive asks), and its own log keeps errors only, with the request's
    address fields deleted and Go's TLS-handshake messages (which name the client)
    excluded. plain_http_port: an extra plain-HTTP site on 127.0.0.1 (the drills)."""
    upstreams = " ".join([f"127.0.0.1:{p}" for p in app_ports(opts)] + opts.upstreams)
    glob = []
    if not admin:
        glob.append("admin off")
    if opts.local_certs:
        glob += ["local_certs", "skip_install_trust"]
    if opts.http_port:
        glob.append(f"http_port {opts.http_port}")
    if opts.https_port:
        glob.append(f"https_port {opts.https_port}")
    if opts.http_port or opts.https_port:
        glob.append("auto_https disable_redirects")
    glob.append(
        "log {\n\t\toutput stderr\n\t\tformat filter {\n\t\t\twrap json\n\t\t\tfields {\n"
        "\t\t\t\trequest>remote_ip delete\n\t\t\t\trequest>remote_port delete\n"
        "\t\t\t\trequest>client_ip delete\n\t\t\t\trequest>headers delete\n"
        "\t\t\t\trequest>uri delete\n\t\t\t}\n\t\t}\n\t\tlevel ERROR\n\t\texclude http.stdlib\n\t}"
    )
    proxy = (
        f"\treverse_proxy {upstreams} {{\n"
        "\t\tlb_policy round_robin\n"
        # A dead app server costs a retry on another, not an error page.
        "\t\tlb_try_duration 10s\n\t\tlb_try_interval 100ms\n\t\tfail_duration 10s\n"
        "\t}\n"
    )
    text = "# Written by `concerted deploy`. No `log` directive: Caddy keeps no access log.\n{\n"
    text += "".join(f"\t{g}\n" for g in glob) + "}\n"
    if opts.domain:
        site = opts.domain + (f":{opts.https_port}" if opts.https_port else "")
        text += f"\n{site} {{\n"
        if opts.https_port:
            text += "\tbind 127.0.0.1\n"
        text += '\theader Strict-Transport-Security "max-age=63072000; includeSubDomains; preload"\n'
        text += "\tencode gzip\n" + proxy + "}\n"
    if plain_http_port:
        text += f"\nhttp://127.0.0.1:{plain_http_port} {{\n\tbind 127.0.0.1\n" + proxy + "}\n"
    return text


TOR_BEGIN = "# BEGIN concerted (written by `concerted deploy`)"
TOR_END = "# END concerted"


def torrc_block(layout: Layout, opts: Options) -> str:
    return (
        f"{TOR_BEGIN}\n"
        f"HiddenServiceDir {layout.onion_dir}\n"
        f"HiddenServicePort 80 127.0.0.1:{opts.onion_port}\n"
        "HiddenServiceExportCircuitID haproxy\n"
        "HiddenServiceMaxStreams 32\nHiddenServiceMaxStreamsCloseCircuit 1\n"
        f"{TOR_END}\n"
    )


def with_torrc_block(existing: str, block: str) -> str:
    if TOR_BEGIN in existing:
        before, rest = existing.split(TOR_BEGIN, 1)
        after = rest.split(TOR_END, 1)[1].lstrip("\n") if TOR_END in rest else ""
        existing = before + after
    return existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + block


def onion_host(layout: Layout) -> str:
    path = layout.onion_dir / "hostname"
    return path.read_text().strip() if path.exists() else ""


# --- Releases ------------------------------------------------------------------------------


def copy_release(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    for name in RELEASE_FILES:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)
    modules = (source / "node_modules").resolve()
    for package in NODE_PACKAGES:
        if not (modules / package).is_dir():
            raise DeployError(
                f"{modules / package} is missing: run `make install` in {source} first (it fetches the "
                "browser libraries the app serves itself)."
            )
        shutil.copytree(modules / package, dest / "node_modules" / package)


def venv_for(layout: Layout, release: Path) -> Path:
    """One virtual environment per set of pins, shared by the releases that use it: an
    upgrade that changes no pin takes seconds, and an old release keeps its own."""
    pins = (release / "requirements.txt").read_bytes()
    tag = hashlib.sha256(pins + sys.version.encode()).hexdigest()[:16]
    venv = layout.venvs / tag
    if (venv / ".complete").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    say(f"Installing the Python dependencies into {venv} (a few minutes the first time)...")
    try:
        run([sys.executable, "-m", "venv", str(venv)], what="python3 -m venv")
        run(
            [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt"],
            cwd=release,
            what="Installing the dependencies (pip)",
        )
    except DeployError:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    (venv / ".complete").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + "\n")
    return venv


def as_user(opts: Options, root_mode: bool) -> list[str]:
    return [] if root_mode else ["runuser", "-u", opts.user, "--"]


def app_env(layout: Layout, values: dict[str, str]) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(layout.data)}
    env.update(values)
    return env


def switch_current(layout: Layout, release: Path) -> None:
    tmp = layout.home / f".current.{secrets.token_hex(4)}"
    tmp.symlink_to(Path("releases") / release.name)
    os.replace(tmp, layout.current)  # rename(2): atomic, never a moment without `current`


def prune_releases(layout: Layout) -> None:
    keep = {layout.current.resolve().name}
    releases = sorted((p for p in layout.releases.iterdir() if p.is_dir()), key=lambda p: p.name)
    keep |= {p.name for p in releases[-KEEP_RELEASES:]}
    for old in releases:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    used = {(p / "venv").resolve().name for p in layout.releases.iterdir() if (p / "venv").exists()}
    for venv in layout.venvs.iterdir():
        if venv.name not in used:
            shutil.rmtree(venv, ignore_errors=True)


def wrapper(layout: Layout, opts: Options, root_mode: bool) -> str:
    become = "" if root_mode else f"runuser -u {opts.user} -- "
    current = shlex.quote(str(layout.current))
    return (
        "#!/bin/sh\n"
        "# `concerted ...` for the installed release, as its system user, with its settings.\n"
        "# It runs in the caller's folder, so relative paths (a backup, --identity, --out)\n"
        "# mean what they mean in the caller's shell. Python finds the release through\n"
        "# PYTHONPATH; -P keeps the caller's folder off its import path.\n"
        "set -e\nset -a\n"
        f". {shlex.quote(str(layout.env_file))}\n"
        f"PYTHONPATH={current}\n"
        "set +a\n"
        f'exec {become}{current}/venv/bin/python -P -m concerted.cli "$@"\n'
    )


# --- The steps -------------------------------------------------------------------------------


def system_setup(layout: Layout, opts: Options) -> None:
    if shutil.which("apt-get"):
        missing = [p for p in DEBIAN_PACKAGES if not succeeds(["dpkg", "-s", p])]
        if missing:
            say(f"Installing Debian packages: {' '.join(missing)}")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            run(["apt-get", "update", "-qq"], env=env)
            run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    try:
        pwd.getpwnam(opts.user)
    except KeyError:
        run(
            [
                "useradd", "--system", "--user-group", "--home-dir", str(layout.data),
                "--no-create-home", "--shell", "/usr/sbin/nologin", opts.user,
            ]
        )  # fmt: skip


def make_dirs(layout: Layout, opts: Options, root_mode: bool) -> None:
    for path, mode in (
        (layout.etc, 0o755),
        (layout.home, 0o755),
        (layout.releases, 0o755),
        (layout.venvs, 0o755),
        (layout.data, 0o700),
        (layout.backups, 0o700),
        (layout.units, 0o755),
    ):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)
    if not root_mode:
        for path in (layout.data, layout.backups):
            shutil.chown(path, opts.user, opts.user)


def set_recipients(layout: Layout, recipients: list[str]) -> None:
    if recipients:
        for r in recipients:
            if not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", r):
                raise DeployError(
                    f"{r[:20]}... is not an age public key (age1...). Make the committee's backup key on "
                    "your own computer with `age-keygen -o concerted-backup.key` and pass the public key it prints."
                )
        write_file(layout.recipients, "".join(f"{r}\n" for r in recipients), 0o644)
    if not layout.recipients.exists():
        raise DeployError(
            "No backup key: pass --backup-recipient age1... (the public key of a key the committee made on "
            "its own computer with `age-keygen -o concerted-backup.key`). Backups are encrypted to it."
        )


def install_release(layout: Layout, opts: Options, source: Path, root_mode: bool, values: dict[str, str]) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    release = layout.releases / f"{stamp}-{secrets.token_hex(3)}"
    say(f"Copying the release to {release}")
    try:
        copy_release(source, release)
        (release / "venv").symlink_to(venv_for(layout, release))
        run([str(release / "venv" / "bin" / "python"), "-m", "compileall", "-q", "concerted"], cwd=release)
        env = app_env(layout, values)
        python = [*as_user(opts, root_mode), str(release / "venv" / "bin" / "python"), "-m", "concerted.cli"]
        say("Checking the new release (imports, settings, system checks)...")
        # umask 077 as in the units: the database and anything else the app creates is private.
        run([*python, "check"], env=env, cwd=release, what="The new release's checks (concerted check)", umask=0o077)
        say("Migrating the database...")
        run([*python, "migrate", "--noinput"], env=env, cwd=release, what="Migrating the database", umask=0o077)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    return release


def write_config(layout: Layout, opts: Options, root_mode: bool, time_zone: str = "") -> None:
    for name, text in units(layout, opts, time_zone).items():
        write_file(layout.units / name, text)
    if opts.domain:
        layout.caddyfile.parent.mkdir(parents=True, exist_ok=True)
        write_file(layout.caddyfile, caddyfile(opts, admin=not root_mode))
    if opts.onion:
        layout.torrc.parent.mkdir(parents=True, exist_ok=True)
        existing = layout.torrc.read_text() if layout.torrc.exists() else ""
        write_file(layout.torrc, with_torrc_block(existing, torrc_block(layout, opts)))
        layout.onion_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(layout.onion_dir, 0o700)
        if not root_mode:
            shutil.chown(layout.onion_dir, "debian-tor", "debian-tor")
    write_file(layout.wrapper, wrapper(layout, opts, root_mode), 0o755)


def write_onion_env(layout: Layout, opts: Options, host: str) -> None:
    # The onion app server speaks plain HTTP inside tor's end-to-end encryption: no
    # HSTS or https redirect there, cookies not marked Secure, links on the onion.
    values = {
        "CONCERTED_HTTPS": "false",
        "CONCERTED_CLIENT_IP_HEADER": "",
        "CONCERTED_PUBLIC_BASE_URL": f"http://{host}" if host else "http://127.0.0.1",
    }
    write_file(layout.onion_env_file, "".join(f"{k}={v}\n" for k, v in values.items()), 0o600)


def start_services(layout: Layout, opts: Options) -> str:
    systemctl = ["systemctl"]
    run([*systemctl, "daemon-reload"])
    host = ""
    if opts.onion:
        run([*systemctl, "enable", "tor"])
        run([*systemctl, "restart", "tor"])
        deadline = time.monotonic() + 90
        while not (host := onion_host(layout)) and time.monotonic() < deadline:
            time.sleep(1)
        if not host:
            raise DeployError(f"tor did not write {layout.onion_dir / 'hostname'}: see `journalctl -u tor`.")
    run([*systemctl, "enable", "--now", "memcached"])
    return host


def restart_app(layout: Layout, opts: Options) -> None:
    names = [f"concerted@{p}.service" for p in app_ports(opts)]
    if opts.onion:
        names.append("concerted-onion.service")
    timers = ["concerted-tick.timer", "concerted-release.timer", "concerted-backup.timer"]
    run(["systemctl", "enable", "concerted.target", *names, *timers])
    run(["systemctl", "restart", *names])
    run(["systemctl", "start", *timers])
    if opts.domain:
        run(["systemctl", "enable", "caddy"])
        run(["systemctl", "restart", "caddy"])


def answers(port: int, host: str) -> bool:
    """The app server on this port serves a page as the proxy would ask for it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/privacy/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def healthy(opts: Options, host: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    for port in app_ports(opts):
        while not answers(port, opts.domain or host):
            if time.monotonic() > deadline:
                return False
            time.sleep(1)
    return True


def validate(opts: Options) -> None:
    """Refuse impossible options before anything is written."""
    if not opts.domain and not opts.onion:
        raise DeployError("Choose how coworkers reach the site: --domain NAME (HTTPS), --onion, or both.")
    if opts.keep_days < 1:
        raise DeployError(f"--keep-days must be 1 or more (got {opts.keep_days}): backups are kept that many days.")
    for name, value, least in (
        ("--workers", opts.workers, 1),
        ("--app-servers", opts.app_servers, 0 if opts.upstreams else 1),
        ("--app-port", opts.app_port, 1),
        ("--onion-port", opts.onion_port, 1),
        ("--http-port", opts.http_port, 0),
        ("--https-port", opts.https_port, 0),
    ):
        if not least <= value <= (65535 if "port" in name else 10_000):
            raise DeployError(f"{name} {value} is out of range.")
    if opts.threads < 1:
        raise DeployError(f"threads must be 1 or more (got {opts.threads}).")
    if opts.time_zone:
        try:
            zoneinfo.ZoneInfo(opts.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise DeployError(
                f"--time-zone {opts.time_zone} is not a time zone name like Europe/Berlin "
                "(timedatectl list-timezones lists them)."
            ) from None
    if opts.paper and opts.paper not in PAPER_NAMES:
        raise DeployError(f"--paper {opts.paper} is not a paper size: {' or '.join(PAPER_NAMES)}.")


def deploy(
    opts: Options, *, root: Path | None, source: Path, recipients: list[str], new_secret_key: bool = False
) -> int:
    root_mode = root is not None
    layout = Layout(root or Path("/"))
    if not root_mode and os.geteuid() != 0:
        raise DeployError("Run deploy as root (sudo make deploy ...): it creates a user and system services.")
    validate(opts)
    if not opts.installed and not layout.current.exists():
        opts.installed = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    host = onion_host(layout)
    values = next_env(layout, opts, host, new_secret_key=new_secret_key)  # refuses a value the file can't carry
    if not root_mode:
        system_setup(layout, opts)
    make_dirs(layout, opts, root_mode)
    set_recipients(layout, recipients)
    ensure_code_key(layout)
    if not root_mode:
        for path in (layout.data / "codes.key",):
            shutil.chown(path, opts.user, opts.user)

    previous = layout.current.resolve().name if layout.current.exists() else ""
    try:
        release = install_release(layout, opts, source, root_mode, values)
    except DeployError as exc:
        say(f"\nDeploy stopped: {exc}\n")
        say(
            f"Nothing was switched: release {previous} is still the one serving."
            if previous
            else "Nothing was installed."
        )
        return 1
    # Only now: a release that failed its checks leaves the settings as they were.
    write_file(layout.install_json, json.dumps(asdict(opts), indent=2) + "\n", 0o600)
    write_file(layout.env_file, render_env(values), 0o600)
    # The zone the settings file says (--time-zone, or the one a bare re-run kept).
    write_config(layout, opts, root_mode, values["CONCERTED_TIME_ZONE"])
    if opts.onion:
        write_onion_env(layout, opts, host)
    switch_current(layout, release)
    say(f"Release {release.name} is current" + (f" (was {previous})." if previous else "."))

    if not root_mode:
        new_host = start_services(layout, opts)
        if new_host and new_host != host:
            host = new_host
            write_file(layout.env_file, render_env(env_values(layout, opts, read_env(layout.env_file), host)), 0o600)
            write_onion_env(layout, opts, host)
        restart_app(layout, opts)
        if not healthy(opts, host):
            if previous:
                switch_current(layout, layout.releases / previous)
                restart_app(layout, opts)
                say(f"The new release did not answer; switched back to {previous}. See `journalctl -u 'concerted@*'`.")
            return 1
    prune_releases(layout)

    say("")
    if opts.domain:
        say(f"Site: {public_base_url(opts, '')}/  (Caddy gets its certificate on the first visit)")
    if opts.onion:
        say(
            f"Onion address: http://{host}/"
            if host
            else f"Onion address: written by tor to {layout.onion_dir}/hostname"
        )
    say(f"Settings: {layout.env_file} (0600). Backups: {layout.backups}, encrypted to {layout.recipients}.")
    say("Next: `concerted organizer add NAME`, then `concerted doctor`.")
    return 0


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="concerted deploy", description=__doc__.split("\n\n")[0])
    a = parser.add_argument
    a("--domain", help="Serve https://DOMAIN through Caddy (its DNS name must point at this server)")
    a("--onion", action="store_true", default=None, help="Serve an onion service through tor")
    a("--backup-recipient", action="append", default=[], help="The committee's age public key (age1...)")
    a("--database-url", help="PostgreSQL (postgres://...); SQLite in /var/lib/concerted if not given")
    a("--app-servers", type=int, help="App servers (gunicorn) on this machine, on ports from --app-port")
    a("--workers", type=int, help="gunicorn workers per app server (default 2)")
    a("--app-port", type=int)
    a("--onion-port", type=int)
    a("--upstream", action="append", default=None, help="Another machine's app server, host:port (repeat)")
    a("--keep-days", type=int, help="Days to keep each nightly backup (default 7)")
    a("--memcached", help="host:port of the shared rate-limit memory (default 127.0.0.1:11211)")
    a("--time-zone", help="The organizers' time zone, e.g. Europe/Berlin: release times follow it (default UTC)")
    a(
        "--paper",
        type=str.lower,
        help="a4 or letter: the paper of every PDF (default: Letter in the US, Canada, Mexico... by --time-zone, else A4)",
    )
    a("--local-certs", action="store_true", default=None, help="Caddy's own CA, not a public one (tests)")
    a("--http-port", type=int, help="Caddy's HTTP port (tests; default 80)")
    a("--https-port", type=int, help="Caddy's HTTPS port (tests; default 443)")
    a("--root", type=Path, help="Install under this directory; start nothing (a throwaway root)")
    a("--source", type=Path, default=SOURCE, help="The checkout to install (default: this one)")
    a("--new-secret-key", action="store_true", help="Make a new secret key: signs every organizer out")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    layout = Layout(args.root or Path("/"))
    saved = json.loads(layout.install_json.read_text()) if layout.install_json.exists() else {}
    opts = Options(**{k: v for k, v in saved.items() if k in Options.__dataclass_fields__})
    for name in Options.__dataclass_fields__:
        value = getattr(args, "upstream" if name == "upstreams" else name, None)
        if value is not None and value != []:
            setattr(opts, name, value)
    try:
        return deploy(
            opts,
            root=args.root,
            source=args.source.resolve(),
            recipients=args.backup_recipient,
            new_secret_key=args.new_secret_key,
        )
    except DeployError as exc:
        say(f"Deploy stopped: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

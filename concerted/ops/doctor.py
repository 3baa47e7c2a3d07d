"""`concerted doctor`: check a live installation and say in plain words what is wrong.

Each check returns the problems it found (an empty list when all is well) and names
itself in every line it prints, so a volunteer can search the docs for the name.
`concerted doctor` exits 1 when any check found a problem."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from . import deploy

DEMO_KEY_PREFIX = "insecure-"
BACKUP_MAX_AGE = datetime.timedelta(hours=26)  # nightly, with the timer's random delay and some slack
CLOCK_SKEW = datetime.timedelta(minutes=2)
# A new server has no backup until its first night: not a problem for that first day.
FIRST_BACKUP_GRACE = datetime.timedelta(days=1)


@dataclass
class Context:
    via: str = ""  # host:port to probe the public address through (instead of its DNS name)
    cacert: str = ""  # a CA to trust for that probe (Caddy's internal CA in a test)
    min_free_mb: int = 1024
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    layout: deploy.Layout | None = None
    probe_date: datetime.datetime | None = None  # the Date header the public address sent

    def __post_init__(self) -> None:
        if settings.INSTALL_FILE:
            # <root>/etc/concerted/install.json
            self.layout = deploy.Layout(Path(settings.INSTALL_FILE).resolve().parents[2])

    def installed(self) -> datetime.datetime | None:
        """When deploy first installed this server (install.json), if it says."""
        opts = self.options()
        if opts is None or not opts.installed:
            return None
        return datetime.datetime.fromisoformat(opts.installed)

    def options(self) -> deploy.Options | None:
        if self.layout is None or not self.layout.install_json.exists():
            return None
        saved = json.loads(self.layout.install_json.read_text())
        return deploy.Options(**{k: v for k, v in saved.items() if k in deploy.Options.__dataclass_fields__})


class Note(str):
    """A finding that is true and worth saying but not a problem (no backup yet on an
    install a few hours old): printed, not counted."""


Check = Callable[[Context], list[str]]
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS.append((name, fn))
        return fn

    return register


def public_url() -> tuple[str, str, int]:
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    host = parts.hostname or ""
    return parts.scheme, host, parts.port or (443 if parts.scheme == "https" else 80)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refused_host(host: str) -> list[str]:
    """The public address's host when the app would answer it 400 (Bad Request): not in
    CONCERTED_ALLOWED_HOSTS, which is then every coworker's visit. Known from the settings
    alone, so said without --via too (an empty CONCERTED_ALLOWED_HOSTS= refuses every host)."""
    from django.http.request import validate_host

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django allows then
    if validate_host(f"[{host}]" if ":" in host else host, allowed):
        return []
    value = ",".join(settings.ALLOWED_HOSTS)
    return [
        f"The public address {settings.PUBLIC_BASE_URL} would be refused with 400 (Bad Request) on every visit: "
        f"its host {host} is not in CONCERTED_ALLOWED_HOSTS ({value or 'empty'}). Add it there "
        f"(comma-separated, e.g. CONCERTED_ALLOWED_HOSTS={host}) and restart the app servers."
    ]


@check("public-address")
def public_address(ctx: Context) -> list[str]:
    scheme, host, port = public_url()
    base = settings.PUBLIC_BASE_URL
    refused = refused_host(host)
    if is_loopback(host):
        return [*refused, f"The public address {base} is a loopback address: coworkers' phones can't reach it. "
                "Set CONCERTED_PUBLIC_BASE_URL to your domain or onion address (re-run deploy)."]  # fmt: skip
    if refused:
        return refused  # the probe could only get the same 400
    if host.endswith(".onion"):
        return []  # reachable only through tor; the onion check is tor's own hostname file
    if ctx.via:
        connect_host, connect_port = ctx.via.rsplit(":", 1)
        target = (connect_host, int(connect_port))
    else:
        try:
            addresses = {a[4][0] for a in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
        except OSError:
            return [f"The public address {base}: the name {host} does not resolve. Point its DNS at this server."]
        if all(is_loopback(a) for a in addresses):
            return [f"The public address {base} resolves only to loopback addresses: phones can't reach it."]
        target = (host, port)
    try:
        conn = http.client.HTTPConnection(*target, timeout=30)
        if scheme == "https":
            # Present the public name (SNI, certificate check) whatever address we dial.
            context = ssl.create_default_context(cafile=ctx.cacert or None)
            conn.sock = context.wrap_socket(socket.create_connection(target, timeout=30), server_hostname=host)
        conn.request("GET", "/privacy/", headers={"Host": urlsplit(base).netloc})
        response = conn.getresponse()
        response.read()
        conn.close()
    except (OSError, ssl.SSLError) as exc:
        return [f"The public address {base} does not answer ({exc}). Is Caddy running, and the app servers?"]
    if response.status == 400:
        # What Django answers a Host it doesn't serve: this server's settings allow the
        # host (refused_host), so the app servers run with others, or the proxy changes it.
        return [
            f"The public address {base} answers 400 (Bad Request) instead of the site: the app servers refuse "
            f"a host that is not in their CONCERTED_ALLOWED_HOSTS. Check that theirs holds {host} and that the "
            "proxy in front passes the Host header on unchanged."
        ]
    if response.status != 200:
        return [f"The public address {base} answers {response.status} instead of the site."]
    if scheme == "https" and "max-age" not in (response.getheader("Strict-Transport-Security") or ""):
        return [f"The public address {base} sends no HSTS header: browsers may try plain HTTP next time."]
    date = response.getheader("Date")
    if date:
        ctx.probe_date = parsedate_to_datetime(date)
    return []


@check("https")
def https(ctx: Context) -> list[str]:
    scheme, host, _port = public_url()
    problems = []
    if scheme == "http" and not host.endswith(".onion"):
        problems.append(
            f"HTTPS is off: {settings.PUBLIC_BASE_URL} is plain HTTP, so anyone on the network "
            "path sees who signs. Re-run deploy with --domain."
        )
    if scheme == "https" and not settings.HTTPS:
        problems.append("CONCERTED_HTTPS is off on an HTTPS site: cookies are not marked Secure and no HSTS is sent.")
    return problems


@check("secret-key")
def secret_key(ctx: Context) -> list[str]:
    key = settings.SECRET_KEY or ""
    if not key or key.startswith(DEMO_KEY_PREFIX):
        return ["The secret key is missing (the demo's constant key is in use): set CONCERTED_SECRET_KEY."]
    if len(key) < 50 or len(set(key)) < 5:
        return ["The secret key is too short or too simple: generate one of at least 50 random characters."]
    return []


@check("code-key")
def code_key(ctx: Context) -> list[str]:
    if settings.CODE_KEY:
        raw = settings.CODE_KEY
    else:
        path = Path(settings.CODE_KEY_FILE)
        if not path.exists():
            return [
                f"The invite-code key {path} is missing: restore it from your backups, or the unused invite codes stop working."
            ]
        raw = path.read_text().strip()
    try:
        if len(bytes.fromhex(raw)) < 32:
            raise ValueError
    except ValueError:
        return ["The invite-code key is not 32 bytes of hex."]
    return []


def weak(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    return f"{path} is readable by other users (mode {mode:04o}): chmod go-rwx {path}" if mode & 0o077 else ""


@check("file-modes")
def file_modes(ctx: Context) -> list[str]:
    data = Path(settings.DATA_DIR)
    paths = [data, Path(settings.CODE_KEY_FILE), data / "secret.key", Path(settings.BACKUP_DIR)]
    if settings.LOG_FILE:
        paths.append(Path(settings.LOG_FILE))
    name = settings.DATABASES["default"]["NAME"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        paths += [Path(f"{name}{suffix}") for suffix in ("", "-wal", "-shm")]
    if ctx.layout is not None:
        paths += [ctx.layout.env_file, ctx.layout.onion_env_file, ctx.layout.install_json]
    if Path(settings.BACKUP_DIR).is_dir():
        paths += sorted(Path(settings.BACKUP_DIR).iterdir())
    return [w for p in paths if p.exists() and (w := weak(p))]


def backup_zone() -> str:
    """Whose 03:30 the nightly backup runs at: the zone deploy wrote into its timer
    (deploy.backup_calendar), or the server's own clock when none is set."""
    zone = settings.TIME_ZONE
    return "server time" if deploy.backup_calendar(zone) == deploy.backup_calendar("") else f"{zone} time"


@check("backups")
def backups(ctx: Context) -> list[str]:
    from concerted.core import agebackup, dbtools

    directory = Path(settings.BACKUP_DIR)
    problems = []
    try:
        agebackup.read_recipients(Path(settings.BACKUP_RECIPIENTS_FILE))
    except dbtools.DbToolError as exc:
        problems.append(f"Backups can't be encrypted: {exc}")
    if not directory.is_dir():
        return [*problems, f"The backup folder {directory} does not exist: backups are not running."]
    plain = [
        p.name
        for p in directory.iterdir()
        # A .part is a backup that failed while being written; the next backup removes it.
        if p.is_file() and not agebackup.PART_RE.match(p.name) and not agebackup.is_encrypted(p)
    ]
    if plain:
        problems.append(
            f"Backups not encrypted in {directory}: {', '.join(sorted(plain)[:5])}. Anyone who takes the "
            "disk can read them: delete them (the nightly backups are encrypted with age)."
        )
    future = agebackup.future_dated(directory, ctx.now)
    if future:
        problems.append(
            f"Backups named with a time still to come in {directory}: {', '.join(p.name for p in future[:5])}. "
            "The clock was wrong when they were made (check it: timedatectl). They don't count as the newest "
            "backup, and they expire by the file's time, CONCERTED_BACKUP_KEEP_DAYS days after the first "
            "backup that found them at the latest."
        )
    newest = agebackup.latest(directory, ctx.now)
    installed = ctx.installed()
    if newest is None and installed is not None and ctx.now - installed < FIRST_BACKUP_GRACE:
        problems.append(
            Note(
                f"No backup yet: this server was installed at {installed:%Y-%m-%d %H:%M} UTC, and the first "
                f"nightly backup runs at 03:30 {backup_zone()} (systemctl list-timers concerted-backup.timer). "
                "To have one now: concerted backup --encrypted"
            )
        )
    elif newest is None:
        problems.append(f"No backup in {directory}: backups are not running (concerted-backup.timer).")
    elif ctx.now - newest[1] > BACKUP_MAX_AGE:
        problems.append(
            f"The newest backup is from {newest[1]:%Y-%m-%d %H:%M} UTC: backups are not running "
            "(systemctl status concerted-backup.timer)."
        )
    return problems


@check("onion-key")
def onion_key(ctx: Context) -> list[str]:
    """tor's key for the onion service is the onion address: no backup holds it, and a
    server restored without it gets a new address that no printed flyer carries."""
    opts = ctx.options()
    if ctx.layout is None or opts is None or not opts.onion:
        return []
    return [
        Note(
            f"The onion address lives in tor's key, {ctx.layout.onion_dir}/hs_ed25519_secret_key, which no "
            "backup holds: keep an offline copy of that folder beside the backup key, or a restored server "
            "gets a new address and every printed flyer breaks (docs/DEPLOY.md, 'Backups and restoring')."
        )
    ]


def caddy_config(path: Path) -> dict | None:
    if not path.exists() or not shutil.which("caddy"):
        return None
    result = subprocess.run(  # noqa: S603
        ["caddy", "adapt", "--config", str(path), "--adapter", "caddyfile"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else None


@check("logs")
def logs(ctx: Context) -> list[str]:
    problems = []
    if ctx.layout is None:
        return problems
    config = caddy_config(ctx.layout.caddyfile)
    if ctx.layout.caddyfile.exists() and config is None:
        problems.append(f"{ctx.layout.caddyfile} can't be read as a Caddyfile (caddy adapt failed).")
    if config:
        servers = config.get("apps", {}).get("http", {}).get("servers", {})
        if any("logs" in server for server in servers.values()):
            problems.append(
                f"Caddy writes an access log ({ctx.layout.caddyfile} has a `log` directive): it would hold "
                "every visitor's address. Remove it."
            )
        default = config.get("logging", {}).get("logs", {}).get("default", {})
        deleted = set(default.get("encoder", {}).get("fields", {}))
        if "http.stdlib" not in default.get("exclude", []) or not {"request>remote_ip", "request>client_ip"} <= deleted:
            problems.append(
                "Caddy's own log would hold client addresses (TLS handshake errors, proxy errors): "
                "keep deploy's `log` block (exclude http.stdlib, delete request>remote_ip)."
            )
    for unit in sorted(ctx.layout.units.glob("concerted*.service")):
        text = unit.read_text()
        if "--access-logfile" in text or "--access-log" in text:
            problems.append(f"{unit.name} turns on gunicorn's access log: it would hold addresses. Remove it.")
    if settings.DEBUG:
        problems.append("CONCERTED_DEBUG is on: error pages would show settings and requests to anyone.")
    return problems


@check("rate-limit")
def rate_limit(ctx: Context) -> list[str]:
    """The limits fail open when their memcached is gone (a sign page must not go down with
    it), so a dead memcached silently means no limit at all: say so here."""
    if not settings.RATELIMIT_ENABLE:
        return ["CONCERTED_RATELIMIT is off: nothing stops one client from flooding the sign pages."]
    location = settings.RATELIMIT_MEMCACHED
    if not location:
        opts = ctx.options()
        if opts and (opts.app_servers > 1 or opts.workers > 1 or opts.upstreams or opts.onion):
            return [
                "CONCERTED_RATELIMIT_MEMCACHED is unset while several app processes serve: each would count "
                "on its own. Set it (deploy's --memcached) to the memcached they share."
            ]
        return []
    host, _sep, port = location.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=3) as conn:
            conn.sendall(b"version\r\n")
            answer = conn.recv(64)
    except OSError as exc:
        answer = str(exc).encode()
    if not answer.startswith(b"VERSION"):
        return [
            f"The rate-limit memcached at {location} does not answer: the limits are off until it does "
            "(`systemctl start memcached`)."
        ]
    return []


@check("clock")
def clock(ctx: Context) -> list[str]:
    problems = []
    if ctx.layout is not None and ctx.layout.current.exists():
        stamp = ctx.layout.current.resolve().name.split("-")[0]
        try:
            installed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        except ValueError:
            installed = None
        if installed and ctx.now < installed - CLOCK_SKEW:
            problems.append(
                f"The clock is wrong: it says {ctx.now:%Y-%m-%d %H:%M} UTC, before this release was installed "
                f"({installed:%Y-%m-%d %H:%M}). Days on records would be wrong: enable NTP (timedatectl set-ntp true)."
            )
    if ctx.probe_date and abs(ctx.probe_date - ctx.now) > CLOCK_SKEW:
        problems.append(
            f"The clock is wrong: it differs from the public address's clock by {abs(ctx.probe_date - ctx.now)}."
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            db_now = cursor.fetchone()[0]
        if abs(db_now - ctx.now) > CLOCK_SKEW:
            problems.append(f"The clock is wrong: it differs from the database server's by {abs(db_now - ctx.now)}.")
    return problems


@check("time-zone")
def time_zone(ctx: Context) -> list[str]:
    """Never a problem, but the one setting an organizer must know to read their own
    schedule: "08:00" on the campaign form means 08:00 in this zone."""
    from django.utils import timezone

    from concerted.core import releases

    local = timezone.localtime(ctx.now, timezone.get_default_timezone())
    return [
        Note(
            f"Release times are scheduled and shown in {settings.TIME_ZONE} (it is now {local:%H:%M} "
            f"{releases.zone_name(local)} there), and pledge deadlines and survey days end at its midnight; "
            "participants' actions are still stored with the UTC day. "
            "CONCERTED_TIME_ZONE sets it (deploy's --time-zone)."
        )
    ]


@check("server-zone")
def server_zone(ctx: Context) -> list[str]:
    """The web server and the scheduled commands each read CONCERTED_TIME_ZONE from their
    own environment: in different zones, a tick lapses a pledge whose page still takes
    pledges (core/serverzone.py; tick refuses, and this says so before the night it would)."""
    from concerted.core import serverzone

    problem = serverzone.mismatch()
    return [problem] if problem else []


@check("paper")
def paper_size(ctx: Context) -> list[str]:
    """Never a problem, but worth knowing before a print run: a PDF laid out on the other
    paper prints shrunk or clipped (a clipped QR code doesn't scan)."""
    name = {"a4": "A4", "letter": "US Letter"}.get(settings.PAPER, settings.PAPER)
    why = (
        "CONCERTED_PAPER says so"
        if os.environ.get("CONCERTED_PAPER", "").strip()
        else f"the default for the time zone {settings.TIME_ZONE}; CONCERTED_PAPER=a4 or letter changes it"
    )
    return [
        Note(
            f"PDFs are laid out on {name} paper (flyers, invite cards, the bargaining brief, and the petition "
            f"and rosters `concerted reveal` writes on a computer with this setting): {why} (deploy's --paper). "
            "The flyer and brief pages offer the other size too."
        )
    ]


@check("disk")
def disk(ctx: Context) -> list[str]:
    problems = []
    for path in {Path(settings.DATA_DIR), Path(settings.BACKUP_DIR)}:
        if path.exists():
            free = shutil.disk_usage(path).free // (1024 * 1024)
            if free < ctx.min_free_mb:
                problems.append(
                    f"Disk space is low: {free} MB free where {path} lives (want {ctx.min_free_mb} MB). A full "
                    "disk stops signatures and backups."
                )
    return problems


@check("migrations")
def migrations(ctx: Context) -> list[str]:
    from django.core.management.base import CommandError
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from concerted.core import mishaps

    try:
        # Before connecting: opening a data folder's missing database creates an empty
        # one, and `concerted migrate` would then build a new installation in a mistyped
        # folder. Said as tick and backup say it, naming the folder and the variable.
        mishaps.require_schema()
    except CommandError as exc:
        return [str(exc)]
    executor = MigrationExecutor(connection)
    problems = []
    # Applied but unknown to this code: a backup from a newer release restored here (or
    # an older release switched back to): pages touching the newer tables fail.
    unknown = sorted(set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes))
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        problems.append(
            f"The database has migrations this code doesn't know ({names}): it comes from a newer release "
            "of Concerted. Install that release (git pull && make deploy)."
        )
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        problems.append(f"Pending migrations ({names}): re-run deploy, or `concerted migrate`.")
    return problems


@check("samples")
def samples(ctx: Context) -> list[str]:
    """PostgreSQL: values of erased tables sampled into pg_statistic before Concerted set
    their statistics target to 0 (docs/SECURITY.md, "Erasure") stay there for good."""
    from django.db import connection

    from concerted.core.records import erased_tables

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)", [erased_tables()])
        kept = sorted(row[0] for row in cursor.fetchall())
    if not kept:
        return []
    fix = "DELETE FROM pg_statistic WHERE starelid = 'TABLE'::regclass; for each, then VACUUM FULL pg_statistic"
    return [
        f"PostgreSQL keeps sampled values of {', '.join(kept)} in pg_statistic, from an ANALYZE before "
        f"Concerted stopped it: erased signatures can stay there. As the database superuser: {fix}."
    ]


def run(ctx: Context, write: Callable[[str], None]) -> int:
    problems = 0
    for name, fn in CHECKS:
        try:
            found = fn(ctx)
        except Exception as exc:  # a check that can't run is itself a finding
            found = [f"could not check: {exc}"]
        notes = [m for m in found if isinstance(m, Note)]
        found = [m for m in found if not isinstance(m, Note)]
        for message in found:
            write(f"PROBLEM {name}: {message}")
        if not found:
            write(f"ok      {name}")
        for message in notes:
            write(f"note    {name}: {message}")
        problems += len(found)
    write(f"\n{problems} problem(s) found." if problems else "\nNo problem found.")
    return 1 if problems else 0

"""Reliability drills, shared by `make test` (short form) and `make bench` (full form).

Crash drill: sign under sustained load, kill -9 the server's whole process group (and,
on PostgreSQL, the database server), restart, keep signing, then check that every
signature whose response was a success is present exactly once, that no row came from
nowhere, and that SQLite's integrity check passes.

Restore drill: sign, `concerted backup --encrypted` (age, to a committee backup key
made for the drill), `concerted restore --identity` into a fresh database, then check
row counts, that the backup (ciphertext, and the snapshot inside it) and the restored
database hold no participant name in their raw bytes, that the committee key still
opens every record, and that de-duplication still works across the restore (the key
file travels inside the encrypted backup). encrypted=False drills the plain backup."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from concerted.core import keys
from concerted.core.sealing import open_sealed

from . import loadgen
from .common import HOST, PY, ROOT, Db, PgCluster, Server, free_port, get, pg_bindir, pg_database_from_env, run_setup

SIGNATURE_KIND = "petitions.signature"


class DrillFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


def open_all(db: Db, key_file: str | Path, petition_id: str | None = None) -> list[dict[str, Any]]:
    private = keys.parse_private(Path(key_file).read_text())
    out = []
    for row_id, pid, cid, sealed in db.signatures(petition_id):
        data = open_sealed(private, sealed, kind=SIGNATURE_KIND, ids={"campaign": cid, "petition": pid, "row": row_id})
        out.append(data)
    return out


# --- Crash drill -------------------------------------------------------------------------


def crash_drill(
    vendor: str, *, seconds: float = 5.0, clients: int = 8, kills: int = 1, kill_db: bool = True
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="concerted-crash."))
    cluster: PgCluster | None = None
    server: Server | None = None
    try:
        if vendor == "postgresql":
            cluster = PgCluster()
            db = Db(data_dir, cluster.create_database("drill"))
        else:
            db = Db(data_dir)
        info = run_setup(db)
        server = Server(db)
        server.start()
        box: dict[str, loadgen.Result] = {}
        worker = threading.Thread(
            target=lambda: box.setdefault(
                "r", loadgen.run(server.port, info["slug"], clients, seconds, 1_000_000, tag="crash")
            )
        )
        worker.start()
        killed: list[str] = []
        for i in range(kills):
            time.sleep(seconds / (kills + 1) * (0.6 + 0.8 * ((i * 7919) % 5) / 5))
            server.kill9()
            what = "gunicorn master and workers"
            if cluster is not None and kill_db:
                victims = cluster.kill9()
                what += f" + PostgreSQL ({len(victims)} processes)"
                cluster.start()
            killed.append(what)
            server.start()
        worker.join(timeout=seconds + 120)
        check(not worker.is_alive(), "the load generator did not stop")
        result = box["r"]
        acked = dict((contact, code) for code, contact in result.receipts)
        attempted = set(result.attempted)

        # Every acknowledged receipt answers on the restarted server.
        missing_receipts = []
        for contact, code in acked.items():
            status, _h, _b = get(server.port, f"/p/{info['slug']}/r/{code}/")
            if status != 200:
                missing_receipts.append((contact, status))
        server.stop()
        server = None
        rows = open_all(db, info["key_file"], info["petition_id"])
        contacts = Counter(r["contact"] for r in rows)
        twice = [c for c, n in contacts.items() if n > 1]
        lost = [c for c in acked if contacts[c] != 1]
        strangers = [c for c in contacts if c not in attempted]
        integrity = db.integrity()
        summary = {
            "vendor": vendor,
            "seconds": round(result.seconds, 1),
            "clients": clients,
            "kills": killed,
            "acknowledged": len(acked),
            "attempted": len(attempted),
            "rows": len(rows),
            "unacknowledged_but_stored": len(rows) - len(acked),
            "failed_requests": result.errors,
            "lost": len(lost),
            "twice": len(twice),
            "receipts_missing": len(missing_receipts),
            "integrity": integrity,
        }
        check(len(acked) > 0, f"no signature succeeded: {result.error_kinds}")
        check(
            not any(k.startswith(("GET 5", "POST 5")) for k in result.error_kinds),
            f"server errors under load: {result.error_kinds}",
        )
        check(not missing_receipts, f"acknowledged receipts not found after restart: {missing_receipts[:5]}")
        check(not lost, f"acknowledged signatures lost: {lost[:5]}")
        check(not twice, f"signatures stored twice: {twice[:5]}")
        check(not strangers, f"rows that no client sent: {strangers[:5]}")
        check(integrity.startswith("ok"), f"integrity check failed: {integrity}")
        return summary
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- Restore drill -----------------------------------------------------------------------


def concerted(db: Db, *args: str, check_rc: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PY, "-m", "concerted.cli", *args], env=db.env(), cwd=ROOT, capture_output=True, text=True, check=False
    )
    if check_rc and result.returncode != 0:
        raise DrillFailed(f"concerted {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def raw_bytes(db: Db, backup: Path | None = None) -> bytes:
    """What someone who takes the disk reads: the SQLite file (+WAL), or for PostgreSQL the
    backup turned back into SQL text (pg_dump's custom format is compressed)."""
    if db.vendor == "sqlite":
        if backup is not None:
            return backup.read_bytes()
        return b"".join(
            Path(str(db.sqlite_path) + s).read_bytes() for s in ("", "-wal") if Path(str(db.sqlite_path) + s).exists()
        )
    bindir = pg_bindir()
    if backup is not None:
        args = [str(bindir / "pg_restore"), "-f", "-", str(backup)]
    else:
        args = [str(bindir / "pg_dump"), "--data-only", db.url]
    return subprocess.run(args, capture_output=True, check=True).stdout


def absent(haystack: bytes, needle: str) -> bool:
    forms = {needle.encode(), needle.lower().encode(), needle.encode("utf-16-le"), needle.encode().hex().encode()}
    return not any(f in haystack for f in forms)


def new_db(vendor: str, name: str) -> Db:
    data_dir = Path(tempfile.mkdtemp(prefix=f"concerted-{name}."))
    if vendor == "postgresql":
        return Db(data_dir, pg_database_from_env(f"drill_{name}_{uuid.uuid4().hex[:8]}"))
    return Db(data_dir)


def decrypted_snapshot(backup: Path, identity: Path) -> bytes:
    """The database snapshot inside an age backup, as the committee would decrypt it."""
    plain = subprocess.run(
        ["age", "--decrypt", "--identity", str(identity), str(backup)], capture_output=True, check=True
    ).stdout
    from concerted.core.agebackup import DB_MEMBER, unpack

    members = unpack(plain)
    return next(members[m] for m in DB_MEMBER.values() if m in members)


def snapshot_bytes(vendor: str, snapshot: bytes) -> bytes:
    if vendor == "sqlite":
        return snapshot
    bindir = pg_bindir()
    return subprocess.run(
        [str(bindir / "pg_restore"), "-f", "-"], input=snapshot, capture_output=True, check=True
    ).stdout


def restore_drill(vendor: str, *, signatures: int = 20, clients: int = 4, encrypted: bool = True) -> dict[str, Any]:
    """`vendor` postgresql needs DATABASE_URL (scripts/with-postgres) for a server to use."""
    source = new_db(vendor, "source")
    target = new_db(vendor, "target")
    backup_dir = Path(tempfile.mkdtemp(prefix="concerted-backup."))
    server: Server | None = None
    distinctive = f"Zebulon Quartermaine {uuid.uuid4().hex[:6]}"
    try:
        info = run_setup(source)
        server = Server(source)
        server.start()
        load = loadgen.run(server.port, info["slug"], clients, 60, signatures, tag="bk")
        check(
            load.ok == signatures,
            f"only {load.ok} of {signatures} signatures succeeded: {load.error_kinds}\n{server.log_tail()}",
        )
        # One more, with a name we can search the bytes for.
        one = loadgen.Result(concurrency=1)
        port, slug = server.port, info["slug"]
        code = loadgen.run_async(lambda: _sign_named(port, slug, distinctive, "zq@example.org", one))
        check(code is not None, "the distinctive signature failed")
        server.stop()
        server = None

        backup = backup_dir / "concerted.backup"
        identity = backup_dir / "committee-backup.key"  # on the committee's computer, not the server
        restore_args: list[str] = []
        t0 = time.perf_counter()
        if encrypted:
            subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
            recipients = source.data_dir / "backup-recipients.txt"
            recipients.write_text(
                subprocess.run(["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True).stdout
            )
            store = source.data_dir / "backups"
            store.mkdir(mode=0o700)
            done = concerted(source, "backup", "--encrypted")
            (backup,) = store.glob("concerted-*.tar.age")
            check("encrypted with age" in done.stdout, f"backup did not say it encrypted: {done.stdout}")
            check(backup.read_bytes().startswith(b"age-encryption.org/v1"), "the backup is not age ciphertext")
            restore_args = ["--identity", str(identity)]
        else:
            concerted(source, "backup", str(backup))
        backup_seconds = time.perf_counter() - t0
        check(backup.stat().st_mode & 0o077 == 0, "the backup file is readable by others")
        # Restore needs the invite-code key beside the new database for unused invite codes.
        if (source.data_dir / "codes.key").exists():
            shutil.copy2(source.data_dir / "codes.key", target.data_dir / "codes.key")
        t0 = time.perf_counter()
        restored = concerted(target, "restore", *restore_args, str(backup))
        restore_seconds = time.perf_counter() - t0
        check("Row counts match" in restored.stdout, f"restore did not confirm counts: {restored.stdout}")
        check("WARNING" not in restored.stderr, f"restore warned: {restored.stderr}")
        again = concerted(target, "restore", *restore_args, str(backup), check_rc=False)
        check(again.returncode != 0 and "refusing" in again.stderr, "restore overwrote a database holding data")

        def counts(db: Db) -> dict[str, int]:
            return {
                t: db.query(f'SELECT COUNT(*) FROM "{t}"')[0][0]
                for t in ("petitions_signature", "petitions_petition", "campaigns_campaign", "auth_user")
            }

        before, after = counts(source), counts(target)
        check(before == after, f"counts differ after restore: {before} vs {after}")
        check(after["petitions_signature"] == signatures + 1, f"expected {signatures + 1} signatures: {after}")
        check(absent(backup.read_bytes(), distinctive), "a participant's name is readable in the backup file")
        if encrypted:
            inner = snapshot_bytes(vendor, decrypted_snapshot(backup, identity))
            check(absent(inner, distinctive), "a participant's name is readable in the decrypted snapshot")
        else:
            check(absent(raw_bytes(source, backup), distinctive), "a participant's name is readable in the backup")
        check(absent(raw_bytes(target), distinctive), "a participant's name is readable in the restored database")
        if vendor == "sqlite":
            check(target.integrity() == "ok", "restored database failed its integrity check")
        rows = open_all(target, info["key_file"], info["petition_id"])
        check(len(rows) == signatures + 1, "the key did not open every restored record")
        check(any(r["name"] == distinctive for r in rows), "the distinctive signature did not survive")

        server = Server(target)
        server.start()
        status, _h, _b = get(server.port, f"/p/{info['slug']}/r/{code}/")
        check(status == 200, "the receipt from before the backup does not open after the restore")
        return {
            "vendor": vendor,
            "signatures": after["petitions_signature"],
            "backup_bytes": backup.stat().st_size,
            "backup_seconds": round(backup_seconds, 2),
            "restore_seconds": round(restore_seconds, 2),
            "counts_equal": True,
            "name_absent_from_backup_and_restored_db": True,
            "key_opens_all": True,
            "encrypted": encrypted,
            "receipt_survives": True,
        }
    finally:
        if server is not None:
            server.stop()
        for d in (source.data_dir, target.data_dir, backup_dir):
            shutil.rmtree(d, ignore_errors=True)


async def _sign_named(port: int, slug: str, name: str, contact: str, result: loadgen.Result) -> str | None:
    status, headers, body = await loadgen.request(port, "GET", f"/p/{slug}/", {})
    token = loadgen.TOKEN_RE.search(body)
    cookie = next((m.group(1) for c in headers.get("set-cookie", []) if (m := loadgen.COOKIE_RE.search(c))), "")
    import urllib.parse

    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode() if token else "", "name": name, "contact": contact}
    ).encode()
    status, headers, body = await loadgen.request(
        port,
        "POST",
        f"/p/{slug}/",
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
        form,
    )
    match = loadgen.RECEIPT_RE.search((headers.get("location") or [""])[0])
    if status == 302 and match:
        return match.group(1)
    raise DrillFailed(f"unexpected answer {status} to a signature")


# --- Two app servers behind Caddy -------------------------------------------------------------


def caddy_in_front(upstreams: list[int], workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Caddy with the Caddyfile `concerted deploy` writes (same proxy block: round robin,
    retries on a dead server), plus a plain-HTTP site on 127.0.0.1 for the load."""
    from concerted.ops import deploy

    port = free_port()
    opts = deploy.Options(app_servers=0, upstreams=[f"{HOST}:{p}" for p in upstreams], http_port=free_port())
    config = workdir / "Caddyfile"
    config.write_text(deploy.caddyfile(opts, admin=False, plain_http_port=port))
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "XDG_DATA_HOME": str(workdir / "data"),
           "XDG_CONFIG_HOME": str(workdir / "config")}  # fmt: skip
    log = open(workdir / "caddy.log", "ab")
    proc = subprocess.Popen(
        ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/privacy/")[0] == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise DrillFailed(f"Caddy did not start: {(workdir / 'caddy.log').read_text()[-2000:]}")


@contextmanager
def memcached_server() -> Iterator[str]:
    """A throwaway memcached on 127.0.0.1 (Debian's package), memory only."""
    port = free_port()
    argv = [shutil.which("memcached") or "/usr/bin/memcached", "-l", HOST, "-p", str(port), "-U", "0", "-m", "16"]
    if os.getuid() == 0:
        argv += ["-u", "nobody"]  # memcached refuses to run as root without -u
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                check(proc.poll() is None and time.monotonic() < deadline, "memcached did not start")
                time.sleep(0.1)
        yield f"{HOST}:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class LimitedDb(Db):
    """The same database, served with the rate limits on (Db.env turns them off for loads)."""

    extra: dict[str, str] = field(default_factory=dict)

    def env(self, settings_module: str = "concerted.settings", **extra: str) -> dict[str, str]:
        return super().env(settings_module, **{**self.extra, **extra})


def post_signature(
    port: int, slug: str, contact: str, form_state: tuple[str, str], *, source: str = HOST, forwarded_for: str = ""
) -> int:
    """POST one signature to `port` from the loopback address `source`; with forwarded_for,
    as Caddy hands it to an app server (X-Forwarded-For naming the client). Returns the status."""
    token, cookie = form_state
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "name": f"Limit {contact[:12]}", "contact": contact, "consent_named": "on"}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Sec-Fetch-Site": "same-origin",
        "Connection": "close",
    }
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    conn = http.client.HTTPConnection(HOST, port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", f"/p/{slug}/", body=form, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    check(status in (302, 429), f"a signature got {status}, neither stored (302) nor refused (429)")
    return status


def sign_form(port: int, slug: str) -> tuple[str, str]:
    """A CSRF token and its cookie from the sign page (GETs are never limited)."""
    status, headers, body = get(port, f"/p/{slug}/")
    token = loadgen.TOKEN_RE.search(body)
    cookie = next((m.group(1) for c in headers.get_all("Set-Cookie") or [] if (m := loadgen.COOKIE_RE.search(c))), "")
    check(status == 200 and token is not None and bool(cookie), f"no sign form ({status})")
    assert token is not None
    return token.group(1).decode(), cookie


# The limits the check runs under: per client address, and all clients together. Periods of
# a day, so that a window boundary (django-ratelimit starts each key's window at its own
# offset) falls inside the few seconds of the check with a chance of about 1 in 3,000.
PER_CLIENT = 4
GLOBAL = 30


def check_shared_rate_limit(db: Db, info: dict[str, Any], workdir: Path, *, shared: bool) -> dict[str, int]:
    """Two app servers (one PostgreSQL) behind Caddy with the limits on, counting in one
    memcached (shared=True) or, the control, each in its own memory. Counts how many
    signatures were stored (302) out of:
    - per_client_direct: 10 POSTs alternating between the two app servers, each carrying
      X-Forwarded-For as Caddy sets it, naming one client;
    - per_client_caddy / second_client_caddy: 6 POSTs each through Caddy (round robin) from
      two real loopback addresses, each POST also carrying a forged X-Forwarded-For entry of
      its own (the app must read the entry Caddy appended, the last);
    - global_direct: 12 POSTs, each from a client of its own, alternating between the two.
    Shared, the totals are exactly 4, 4, 4 and GLOBAL - 22 (every POST so far counted
    toward the ceiling); counting per server, 8, 6, 6 and 12."""
    limits = {
        "CONCERTED_RATELIMIT": "true",
        "CONCERTED_PUBLIC_POST_RATE": f"{PER_CLIENT}/d",
        "CONCERTED_GLOBAL_POST_RATE": f"{GLOBAL}/d",
        "CONCERTED_CLIENT_IP_HEADER": "X-Forwarded-For",  # what `concerted deploy` writes
    }
    caddy: subprocess.Popen[bytes] | None = None
    servers: list[Server] = []
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if shared:
            limits["CONCERTED_RATELIMIT_MEMCACHED"] = stack.enter_context(memcached_server())
        limited = LimitedDb(db.data_dir, db.url, extra=limits)
        servers = [Server(limited, workers=1, threads=4), Server(limited, workers=1, threads=4)]
        try:
            for server in servers:
                server.start()
            caddy, caddy_port = caddy_in_front([s.port for s in servers], workdir)
            slug = info["slug"]
            tag = "s" if shared else "c"

            # Each POST sends a form page of its own, as each phone does: one page sent
            # twice is answered with its first receipt (core/sentonce.py), not counted again.
            def form() -> tuple[str, str]:
                return sign_form(servers[0].port, slug)

            counts: dict[str, int] = {}

            def stored(statuses: list[int]) -> int:
                return statuses.count(302)

            counts["per_client_direct"] = stored(
                [
                    post_signature(servers[i % 2].port, slug, f"{tag}-d{i}@x.test", form(), forwarded_for="127.0.0.7")
                    for i in range(10)
                ]
            )
            for key, source in (("per_client_caddy", "127.0.0.8"), ("second_client_caddy", "127.0.0.9")):
                counts[key] = stored(
                    [
                        post_signature(
                            caddy_port,
                            slug,
                            f"{tag}-{source}-{i}@x.test",
                            form(),
                            source=source,
                            forwarded_for=f"127.1.0.{i}",
                        )
                        for i in range(6)
                    ]
                )
            counts["global_direct"] = stored(
                [
                    post_signature(
                        servers[i % 2].port, slug, f"{tag}-g{i}@x.test", form(), forwarded_for=f"127.2.0.{i}"
                    )
                    for i in range(12)
                ]
            )
            return counts
        finally:
            if caddy is not None:
                caddy.kill()
                caddy.wait()
            for server in servers:
                server.stop()


def shared_rate_limit_drill() -> dict[str, Any]:
    """The rate limit across two app servers behind Caddy on one PostgreSQL (DATABASE_URL):
    with one memcached the limits hold in total, and (control) without it each server
    counts alone, so the check can fail."""
    db = new_db("postgresql", "limit")
    workdir = Path(tempfile.mkdtemp(prefix="concerted-limit."))
    try:
        info = run_setup(db)
        shared = check_shared_rate_limit(db, info, workdir / "shared", shared=True)
        alone = check_shared_rate_limit(db, info, workdir / "alone", shared=False)
        return {"shared": shared, "per_server": alone}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(db.data_dir, ignore_errors=True)


def two_servers_drill(*, seconds: float = 6.0, clients: int = 6) -> dict[str, Any]:
    """Two gunicorn instances against one PostgreSQL (DATABASE_URL: scripts/with-postgres)
    behind Caddy; one is killed with kill -9 mid-way and not restarted. Every signature
    acknowledged through Caddy must be stored exactly once."""
    db = new_db("postgresql", "two")
    workdir = Path(tempfile.mkdtemp(prefix="concerted-two."))
    servers = [Server(db, workers=1, threads=4), Server(db, workers=1, threads=4)]
    caddy: subprocess.Popen[bytes] | None = None
    try:
        info = run_setup(db)
        for server in servers:
            server.start()
        caddy, port = caddy_in_front([s.port for s in servers], workdir)
        box: dict[str, loadgen.Result] = {}
        worker = threading.Thread(
            target=lambda: box.setdefault("r", loadgen.run(port, info["slug"], clients, seconds, 1_000_000, tag="two"))
        )
        worker.start()
        time.sleep(seconds / 2)
        before_kill = servers[0].proc.pid if servers[0].proc else 0
        servers[0].kill9()
        worker.join(timeout=seconds + 120)
        check(not worker.is_alive(), "the load generator did not stop")
        result = box["r"]
        acked = dict((contact, code) for code, contact in result.receipts)
        attempted = set(result.attempted)
        missing_receipts = [c for c, code in acked.items() if get(port, f"/p/{info['slug']}/r/{code}/")[0] != 200]
        rows = open_all(db, info["key_file"], info["petition_id"])
        contacts = Counter(r["contact"] for r in rows)
        lost = [c for c in acked if contacts[c] != 1]
        twice = [c for c, n in contacts.items() if n > 1]
        strangers = [c for c in contacts if c not in attempted]
        bad_gateway = sum(n for k, n in result.error_kinds.items() if k.endswith(" 502"))
        summary = {
            "seconds": round(result.seconds, 1),
            "clients": clients,
            "killed_pid": before_kill,
            "acknowledged": len(acked),
            "attempted": len(attempted),
            "rows": len(rows),
            "lost": len(lost),
            "twice": len(twice),
            "receipts_missing": len(missing_receipts),
            "errors": result.error_kinds,
        }
        check(len(acked) > 0, f"no signature succeeded: {result.error_kinds}")
        check(not lost, f"acknowledged signatures lost: {lost[:5]}")
        check(not twice, f"signatures stored twice: {twice[:5]}")
        check(not strangers, f"rows that no client sent: {strangers[:5]}")
        check(not missing_receipts, f"acknowledged receipts not found: {missing_receipts[:5]}")
        # Only the requests in flight on the killed server may fail; Caddy retries the rest.
        check(bad_gateway <= clients, f"too many failures after the kill: {result.error_kinds}")
        check(servers[1].proc is not None and servers[1].proc.poll() is None, "the surviving app server stopped")
        return summary
    finally:
        if caddy is not None:
            caddy.kill()
            caddy.wait()
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(db.data_dir, ignore_errors=True)

"""Reliability drills, shared by `make test` (short form) and `make bench` (full form).

Crash drill: sign under sustained load, kill -9 the server's whole process group (and,
on PostgreSQL, the database server), restart, keep signing, then check that every
signature whose response was a success is present exactly once, that no row came from
nowhere, and that SQLite's integrity check passes.

Restore drill: sign, `concerted backup`, `concerted restore` into a fresh database,
then check row counts, that the backup and the restored database hold no participant
name in their raw bytes, that the committee key still opens every record, and that
de-duplication still works across the restore when the key file is restored too."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from concerted.core import keys
from concerted.core.sealing import open_sealed

from . import loadgen
from .common import PY, ROOT, Db, PgCluster, Server, get, pg_bindir, pg_database_from_env, run_setup

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


def restore_drill(vendor: str, *, signatures: int = 20, clients: int = 4) -> dict[str, Any]:
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
        t0 = time.perf_counter()
        concerted(source, "backup", str(backup))
        backup_seconds = time.perf_counter() - t0
        check(backup.stat().st_mode & 0o077 == 0, "the backup file is readable by others")
        # Restore needs the invite-code key beside the new database for unused invite codes.
        if (source.data_dir / "codes.key").exists():
            shutil.copy2(source.data_dir / "codes.key", target.data_dir / "codes.key")
        t0 = time.perf_counter()
        restored = concerted(target, "restore", str(backup))
        restore_seconds = time.perf_counter() - t0
        check("Row counts match" in restored.stdout, f"restore did not confirm counts: {restored.stdout}")
        check("WARNING" not in restored.stderr, f"restore warned: {restored.stderr}")
        again = concerted(target, "restore", str(backup), check_rc=False)
        check(again.returncode != 0 and "refusing" in again.stderr, "restore overwrote a database holding data")

        def counts(db: Db) -> dict[str, int]:
            return {
                t: db.query(f'SELECT COUNT(*) FROM "{t}"')[0][0]
                for t in ("petitions_signature", "petitions_petition", "campaigns_campaign", "auth_user")
            }

        before, after = counts(source), counts(target)
        check(before == after, f"counts differ after restore: {before} vs {after}")
        check(after["petitions_signature"] == signatures + 1, f"expected {signatures + 1} signatures: {after}")
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

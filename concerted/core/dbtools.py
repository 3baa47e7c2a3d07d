"""Database backup and restore helpers shared by `concerted backup` and `concerted restore`.

SQLite: the online backup API (a consistent snapshot taken through SQLite's own locks,
never a copy of the live file and its WAL). PostgreSQL: pg_dump's custom format and
pg_restore. Backups hold only what the database holds: sealed blobs, hashes of random
codes, counts. They still must be protected (they show how many signed, on which day,
in which group), and the invite-code key is NOT inside: back it up separately."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class DbToolError(Exception):
    """A backup or restore step failed; the message says what to do."""


def vendor(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise DbToolError(f"unsupported database engine {engine}")


def backup_kind(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise DbToolError(f"{path} is not a Concerted backup (neither an SQLite database nor a pg_dump archive)")


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def sqlite_integrity(path: Path | str) -> str:
    conn = _sqlite_connect(path)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        # A truncated file ("database disk image is malformed"): as damaged as a failed check.
        return str(exc)
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


def sqlite_counts(path: Path | str) -> dict[str, int]:
    conn = _sqlite_connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        conn.close()


def sqlite_backup(source: Path, dest: Path) -> None:
    """Online backup through the SQLite backup API into a new 0600 file."""
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    write_private(tmp, b"")
    src = _sqlite_connect(source)
    dst = _sqlite_connect(tmp)
    try:
        src.backup(dst)
        # The backup is a standalone file: rollback journal, no WAL beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    check = sqlite_integrity(tmp)
    if check != "ok":
        tmp.unlink(missing_ok=True)
        raise DbToolError(f"the backup failed its integrity check: {check}")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)


def sqlite_restore(backup: Path, target: Path) -> None:
    """Copy a backup into the target database through the backup API (which takes the
    target's locks and writes through its WAL), then check the result."""
    check = sqlite_integrity(backup)
    if check != "ok":
        raise DbToolError(f"the backup file is damaged or incomplete ({check}); nothing was restored")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        write_private(target, b"")
    src = _sqlite_connect(backup)
    dst = _sqlite_connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()
    check = sqlite_integrity(target)
    if check != "ok":
        raise DbToolError(f"the restored database failed its integrity check: {check}")


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_binary(name: str) -> str:
    bindir = os.environ.get("CONCERTED_PG_BINDIR")
    if bindir and (Path(bindir) / name).exists():
        return str(Path(bindir) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    raise DbToolError(f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)")


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq environment for the pg_* tools: the password never goes on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def run_pg(args: list[str], db: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DbToolError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")
    return result


def pg_backup(db: dict[str, Any], dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    write_private(tmp, b"")
    run_pg([pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"], db)
    os.replace(tmp, dest)


def pg_restore(db: dict[str, Any], backup: Path, *, clean: bool) -> None:
    args = [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    run_pg([*args, f"--dbname={db['NAME']}", str(backup)], db)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def write_manifest(backup: Path, info: dict[str, Any]) -> None:
    write_private(manifest_path(backup), (json.dumps(info, indent=2, sort_keys=True) + "\n").encode())


def read_manifest(backup: Path) -> dict[str, Any] | None:
    path = manifest_path(backup)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None

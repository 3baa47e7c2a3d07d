"""Backups encrypted with age before they are written anywhere.

`concerted backup --encrypted` takes a consistent snapshot into memory (SQLite's backup
API into an in-memory database; pg_dump to a pipe), packs it with its manifest and the
invite-code key into a tar in memory, and pipes that through `age` to the
committee's backup key (settings.BACKUP_RECIPIENTS_FILE, public keys only). Only the
ciphertext touches the disk. The campaign's private key is never involved: the backup
key is a separate age key the committee keeps, so a restore never needs the campaign
key on a server.

Backups older than settings.BACKUP_KEEP_DAYS days are deleted by the same command: a
withdrawn signature or a lapsed pledge is gone for good once the last backup that
still holds it has expired."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from . import dbtools

AGE_MAGIC = b"age-encryption.org/v1"
NAME_RE = re.compile(r"^concerted-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.tar\.age$")
STAMP = "%Y-%m-%dT%H%M%SZ"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def age_binary(name: str = "age") -> str:
    found = shutil.which(name)
    if not found:
        raise dbtools.DbToolError(f"{name} not found: install Debian's age package (apt-get install age)")
    return found


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(AGE_MAGIC)) == AGE_MAGIC


def read_recipients(path: Path) -> list[str]:
    if not path.exists():
        if path.name.startswith("age1"):
            # The variable names the file holding the keys; the key itself was put there.
            raise dbtools.DbToolError(
                "CONCERTED_BACKUP_RECIPIENTS names a file, not the key: write the age public key "
                f"({path.name[:12]}...) into a file, one a line, and set the variable to that file's path."
            )
        raise dbtools.DbToolError(
            f"No backup key at {path}: put the committee's age public key (age1...) there, one a line."
        )
    keys = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if not keys:
        raise dbtools.DbToolError(f"{path} names no age public key.")
    return keys


# --- Snapshots in memory -----------------------------------------------------------------------


def sqlite_snapshot(source: Path) -> bytes:
    src = sqlite3.connect(str(source), timeout=30, isolation_level=None)
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(mem)
        check = "; ".join(str(r[0]) for r in mem.execute("PRAGMA integrity_check"))
        if check != "ok":
            raise dbtools.DbToolError(f"the snapshot failed its integrity check: {check}")
        return rollback_journal(mem.serialize())
    finally:
        mem.close()
        src.close()


def rollback_journal(image: bytes) -> bytes:
    """Mark an SQLite image as a rollback-journal database (header bytes 18-19): a copy
    of a WAL database keeps the WAL marks, and SQLite can't open those from memory."""
    data = bytearray(image)
    if data[:16] == dbtools.SQLITE_MAGIC:
        data[18] = data[19] = 1
    return bytes(data)


def pg_snapshot(db: dict[str, Any]) -> bytes:
    args = [dbtools.pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    result = subprocess.run(args, env=dbtools.pg_env(db), capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise dbtools.DbToolError(f"pg_dump failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return result.stdout


def pack(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        for member in tar.getmembers():
            if member.isfile() and "/" not in member.name:
                f = tar.extractfile(member)
                if f is not None:
                    out[member.name] = f.read()
    return out


def encrypt(plain: bytes, recipients_file: Path) -> bytes:
    read_recipients(recipients_file)
    result = subprocess.run(  # noqa: S603
        [age_binary(), "--encrypt", "--recipients-file", str(recipients_file)], input=plain, capture_output=True
    )
    if result.returncode != 0:
        raise dbtools.DbToolError(f"age could not encrypt: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def decrypt(path: Path, identity: Path) -> bytes:
    result = subprocess.run(  # noqa: S603
        [age_binary(), "--decrypt", "--identity", str(identity), str(path)], capture_output=True
    )
    if result.returncode != 0:
        raise dbtools.DbToolError(
            f"age could not decrypt {path.name}: {result.stderr.decode(errors='replace').strip()}"
        )
    return result.stdout


# --- Writing and keeping ------------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    size: int
    deleted: list[Path]


def write_encrypted(
    kind: str, snapshot: bytes, manifest: dict[str, Any], *, directory: Path, recipients: Path, keep_days: int
) -> Written:
    members = {DB_MEMBER[kind]: snapshot, "manifest.json": json.dumps(manifest, indent=2, sort_keys=True).encode()}
    key_file = Path(settings.CODE_KEY_FILE)
    if not settings.CODE_KEY and key_file.exists():
        # Inside the ciphertext only the committee can open: a restore then keeps
        # unused invite codes working without a second backup to find.
        members["codes.key"] = key_file.read_bytes()
    cipher = encrypt(pack(members), recipients)
    now = datetime.datetime.now(datetime.UTC)
    dest = directory / f"concerted-{now.strftime(STAMP)}.tar.age"
    tmp = dest.with_name(dest.name + ".part")
    dbtools.write_private(tmp, cipher)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    tmp.replace(dest)
    return Written(dest, len(cipher), expire(directory, keep_days, now))


def backup_time(path: Path) -> datetime.datetime | None:
    match = NAME_RE.match(path.name)
    if not match:
        return None
    return datetime.datetime.strptime(match.group(1), STAMP).replace(tzinfo=datetime.UTC)


def expire(directory: Path, keep_days: int, now: datetime.datetime) -> list[Path]:
    limit = now - datetime.timedelta(days=keep_days)
    gone = []
    for path in sorted(directory.iterdir()):
        when = backup_time(path)
        if when is not None and when < limit:
            path.unlink()
            gone.append(path)
    return gone


def latest(directory: Path) -> tuple[Path, datetime.datetime] | None:
    found = [(p, t) for p in directory.iterdir() if (t := backup_time(p)) is not None] if directory.is_dir() else []
    return max(found, key=lambda pt: pt[1]) if found else None


# --- Restoring ------------------------------------------------------------------------------------


def sqlite_restore_bytes(image: bytes, target: Path) -> None:
    """Load the snapshot into memory and copy it into the target through the backup API:
    the plaintext database is never written anywhere but the live database itself."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        mem.deserialize(rollback_journal(image))
        check = "; ".join(str(r[0]) for r in mem.execute("PRAGMA integrity_check"))
        if check != "ok":
            raise dbtools.DbToolError(f"the backup is damaged (integrity check: {check}); nothing was restored")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            dbtools.write_private(target, b"")
        dst = sqlite3.connect(str(target), timeout=30, isolation_level=None)
        try:
            mem.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
    finally:
        mem.close()
    check = dbtools.sqlite_integrity(target)
    if check != "ok":
        raise dbtools.DbToolError(f"the restored database failed its integrity check: {check}")


def pg_restore_bytes(db: dict[str, Any], dump: bytes, *, clean: bool) -> None:
    args = [dbtools.pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603
        [*args, f"--dbname={db['NAME']}"], input=dump, env=dbtools.pg_env(db), capture_output=True, check=False
    )
    if result.returncode != 0:
        raise dbtools.DbToolError(f"pg_restore failed: {result.stderr.decode(errors='replace')[-2000:]}")

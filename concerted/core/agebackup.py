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
import hashlib
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
# A backup whose writing failed (a full disk): never finished, never a backup.
PART_RE = re.compile(r"^concerted-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.tar\.age\.part$")
PART_MAX_AGE = datetime.timedelta(hours=1)  # far longer than any backup takes to write
# A name this far ahead of the clock was written while the clock was wrong (not a few
# seconds of NTP correction).
FUTURE_SLACK = datetime.timedelta(hours=1)
SECRET_KEY_PREFIX = "AGE-SECRET-KEY-"
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
    lines = path.read_text().splitlines()
    if any(SECRET_KEY_PREFIX in line.upper() for line in lines):
        # Checked before anything else, comments included: age-keygen's own file (the
        # private key with its public key in a comment) copied here by mistake.
        raise dbtools.DbToolError(
            f"WARNING: {path} holds a PRIVATE age key (AGE-SECRET-KEY-...). The committee's backup key must "
            "never be on the server: whoever takes the server could open every backup. Remove it now "
            f"(shred -u {path}), write only its public key there (age1..., what `age-keygen -y concerted-backup.key` "
            "prints on your own computer), and treat the key as exposed: make a new one and delete the backups "
            "encrypted to the old one."
        )
    keys = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not keys:
        raise dbtools.DbToolError(f"{path} names no age public key.")
    for key in keys:
        if not key.startswith(("age1", "ssh-")):
            found = re.search(r"age1\S+", key)
            hint = f" Keep only the key itself: {found.group(0)}" if found else ""
            raise dbtools.DbToolError(f"{path}: {key[:24]!r}... is not an age public key (age1..., one a line).{hint}")
    return keys


# --- The invite-code key's fingerprint -------------------------------------------------------

# A keyed hash of a fixed text with the invite-code key: the same key gives the same
# fingerprint, and it tells nothing about the key (BLAKE2b is a PRF under its key). In a
# backup's manifest, a restore can check that the key the server will use is the one its
# unused invite codes were hashed with (core/hashing.py, same key[:64]).
FINGERPRINT_PERSON = b"concerted-codefp"


def code_key_fingerprint(raw: str | bytes | None) -> str | None:
    """The fingerprint of a key as written in codes.key or CONCERTED_CODE_KEY (hex); None
    for no key or one that isn't hex (hashing.py would refuse it too)."""
    if raw is None:
        return None
    try:
        key = bytes.fromhex(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        return None
    if not key:
        return None
    return hashlib.blake2b(b"invite-code key", key=key[:64], digest_size=16, person=FINGERPRINT_PERSON).hexdigest()


def live_code_key() -> str | None:
    """The key the server hashes invite codes with, without making one (hashing.py makes
    it on the first invite code)."""
    if settings.CODE_KEY:
        return settings.CODE_KEY
    try:
        return Path(settings.CODE_KEY_FILE).read_text()
    except FileNotFoundError:
        return None


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


def check_identity(identity: Path) -> None:
    """The usual mix-ups, named before age gives its own terse error."""
    from .keys import PRIVATE_PREFIX, PUBLIC_PREFIX

    if not identity.is_file():
        raise dbtools.DbToolError(f"The backup key {identity} does not exist.")
    text = identity.read_text(errors="replace")
    if PRIVATE_PREFIX.lower() in text.lower() or PUBLIC_PREFIX in text:
        raise dbtools.DbToolError(
            f"{identity} is a campaign key (from `concerted keys new`), not the backup key: pass the age key "
            "the committee made with `age-keygen -o concerted-backup.key` (its key line starts with "
            "AGE-SECRET-KEY-). Keep the campaign key off the server."
        )
    if SECRET_KEY_PREFIX not in text.upper():
        raise dbtools.DbToolError(
            f"{identity} holds no age private key (a line starting with AGE-SECRET-KEY-): pass the file "
            "`age-keygen -o concerted-backup.key` made, not its public key."
        )


def decrypt(path: Path, identity: Path) -> bytes:
    check_identity(identity)
    result = subprocess.run(  # noqa: S603
        [age_binary(), "--decrypt", "--identity", str(identity), str(path)], capture_output=True
    )
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace").strip()
        if "no identity matched" in error:
            raise dbtools.DbToolError(
                f"{identity} does not open {path.name}: the backup was encrypted to another backup key. Use the "
                "key whose public key (`age-keygen -y KEY`) is in the old server's backup-recipients.txt."
            )
        if "payload" in error or "EOF" in error or "header" in error:
            raise dbtools.DbToolError(
                f"{path.name} is damaged or incomplete (was it copied whole?); nothing was restored. ({error})"
            )
        raise dbtools.DbToolError(f"age could not decrypt {path.name}: {error}")
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
    try:
        dbtools.write_private(tmp, cipher)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        tmp.replace(dest)
    except BaseException:
        # A full disk: no half-written backup left behind, to be taken for one.
        tmp.unlink(missing_ok=True)
        raise
    return Written(dest, len(cipher), expire(directory, keep_days, now))


def backup_time(path: Path) -> datetime.datetime | None:
    match = NAME_RE.match(path.name)
    if not match:
        return None
    return datetime.datetime.strptime(match.group(1), STAMP).replace(tzinfo=datetime.UTC)


def is_future_dated(path: Path, now: datetime.datetime) -> bool:
    """Named with a time still to come: made while the clock was wrong. Its name can't say
    how old it is, so it neither stands for a recent backup nor waits for its date to expire."""
    when = backup_time(path)
    return when is not None and when > now + FUTURE_SLACK


def future_dated(directory: Path, now: datetime.datetime) -> list[Path]:
    return sorted(p for p in directory.iterdir() if is_future_dated(p, now)) if directory.is_dir() else []


def file_time(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)


def expiry_time(path: Path, now: datetime.datetime) -> datetime.datetime | None:
    """When a backup counts as made, for expiry: the time in its name, or for a backup named
    in the future the file's time. A file time in the future too (the clock was wrong when
    it was written) is set to now, the first time a backup sees it: it then expires
    keep_days later instead of never."""
    when = backup_time(path)
    if when is None or when <= now + FUTURE_SLACK:
        return when
    when = file_time(path)
    if when > now + FUTURE_SLACK:
        os.utime(path, (now.timestamp(), now.timestamp()))
        when = now
    return when


def expire(directory: Path, keep_days: int, now: datetime.datetime) -> list[Path]:
    limit = now - datetime.timedelta(days=keep_days)
    gone = []
    for path in sorted(directory.iterdir()):
        when = expiry_time(path, now)
        if when is not None and when < limit:
            path.unlink()
            gone.append(path)
        part = PART_RE.match(path.name)
        if part and datetime.datetime.strptime(part.group(1), STAMP).replace(tzinfo=datetime.UTC) < now - PART_MAX_AGE:
            # Left by a backup that failed (a full disk, a kill): never a backup, but it
            # may hold data that must expire like one.
            path.unlink()
    return gone


def latest(directory: Path, now: datetime.datetime | None = None) -> tuple[Path, datetime.datetime] | None:
    """The newest backup by the time in its name, leaving out those named in the future
    (made while the clock was wrong): one of them would hide that backups stopped."""
    now = now or datetime.datetime.now(datetime.UTC)
    found = (
        [(p, t) for p in directory.iterdir() if (t := backup_time(p)) is not None and not is_future_dated(p, now)]
        if directory.is_dir()
        else []
    )
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

"""Hashes of random codes, the only hashes the server keeps.

There is no hash of any contact: a keyed hash of a contact, with its key on the same
server, lets whoever seizes the server test HR's list against it (invariant 10).
Repeats are found by the committee on its own machine (core/dedup.py).

What is hashed here is always a random code the server handed out: receipts and
reveal tokens (128+ random bits, hashed without a key: nobody can guess them) and
invite codes (about 49.5 random bits, too few for an unkeyed hash, so they are hashed
with the invite-code key, `code_key()`). Each campaign gets its own derived key, so
code hashes can't be joined across campaigns."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _master_key() -> bytes:
    if settings.CODE_KEY:
        try:
            key = bytes.fromhex(settings.CODE_KEY)
        except ValueError:
            raise ImproperlyConfigured("CONCERTED_CODE_KEY must be hex") from None
        if len(key) < 32:
            raise ImproperlyConfigured("CONCERTED_CODE_KEY must be at least 32 bytes (64 hex digits)")
        return key
    path = Path(settings.CODE_KEY_FILE)
    if not path.exists():
        _create_key_file(path)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} must hold at least 32 bytes of hex")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: several
    server processes may get here at once on their first invite code, and exactly one
    key must win, never a half-written file (found by the launch-day load benchmark)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails if another process won the race
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def code_key(campaign_id: str) -> bytes:
    """The key one campaign's invite-code hashes are made with."""
    return hashlib.blake2b(
        str(campaign_id).encode(), key=_master_key()[:64], digest_size=32, person=b"concerted-codes"
    ).digest()


def code_hash(code: str, purpose: str) -> str:
    """Hash of a random high-entropy code (receipts, tokens). Unkeyed is fine: the code
    itself is 128 random bits, so the hash can't be reversed by guessing."""
    return hashlib.blake2b(code.encode("utf-8"), digest_size=32, person=purpose.encode()[:16]).hexdigest()


def new_code(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)

"""Keyed BLAKE2b hashes for de-duplication and for codes stored only as hashes.

The de-duplication key lives outside the database (environment or a file beside it),
so a stolen database alone can't be brute-forced for known contacts. Each campaign
gets its own derived key, so hashes can't be joined across campaigns."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _master_key() -> bytes:
    if settings.DEDUP_KEY:
        try:
            key = bytes.fromhex(settings.DEDUP_KEY)
        except ValueError:
            raise ImproperlyConfigured("CONCERTED_DEDUP_KEY must be hex") from None
        if len(key) < 32:
            raise ImproperlyConfigured("CONCERTED_DEDUP_KEY must be at least 32 bytes (64 hex digits)")
        return key
    path = Path(settings.DEDUP_KEY_FILE)
    if not path.exists():
        _create_key_file(path)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} must hold at least 32 bytes of hex")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: several
    server processes may get here at once on their first signature, and exactly one key
    must win, never a half-written file (found by the launch-day load benchmark)."""
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


def campaign_key(campaign_id: str) -> bytes:
    return hashlib.blake2b(
        str(campaign_id).encode(), key=_master_key()[:64], digest_size=32, person=b"concerted-dedup"
    ).digest()


def normalize_contact(contact: str) -> str:
    """Fold the forms one person types their contact in: case, spaces, dots in phone
    numbers. Email local parts keep their dots (not every provider ignores them)."""
    text = unicodedata.normalize("NFKC", contact).strip().casefold()
    if "@" in text:
        return "".join(text.split())
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" if text.startswith("+") else "") + digits if digits else text


def contact_hash(campaign_id: str, contact: str) -> str:
    return hashlib.blake2b(
        normalize_contact(contact).encode("utf-8"), key=campaign_key(campaign_id), digest_size=32
    ).hexdigest()


def code_hash(code: str, purpose: str) -> str:
    """Hash of a random high-entropy code (receipts, tokens). Unkeyed is fine: the code
    itself is 128 random bits, so the hash can't be reversed by guessing."""
    return hashlib.blake2b(code.encode("utf-8"), digest_size=32, person=purpose.encode()[:16]).hexdigest()


def new_code(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)

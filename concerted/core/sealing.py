"""Sealing participant records to the campaign's public key.

A sealed record is a libsodium sealed box around a JSON envelope that names what the
record belongs to: its kind ("petitions.signature"), the campaign, the parent object
and the row itself. Reveal on the organizer's machine refuses any record whose
envelope does not match the row it was exported in, so a server can't move a
signature from one petition to another or swap two rows.

Plaintext is padded to a multiple of PAD_BLOCK bytes so the ciphertext length gives
the length only in PAD_BLOCK steps: a name or contact doesn't show, a comment of a few
hundred characters makes its record a step longer (docs/SECURITY.md)."""

from __future__ import annotations

import json
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

ENVELOPE_VERSION = 1
PAD_BLOCK = 256


class RevealError(ValueError):
    """A sealed record could not be opened or does not belong where it was found."""


class KindMismatch(RevealError):
    """A record sealed as another kind of record than the export it came in declares."""


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4 padding: 0x80 then zeros up to the block boundary.
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise RevealError("bad padding")
    return end[:-1]


def seal(public_key: PublicKey, *, kind: str, ids: dict[str, str], data: dict[str, Any]) -> bytes:
    envelope = {"v": ENVELOPE_VERSION, "kind": kind, "ids": ids, "data": data}
    plaintext = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return SealedBox(public_key).encrypt(_pad(plaintext.encode("utf-8")))


def open_sealed(private_key: PrivateKey, blob: bytes, *, kind: str, ids: dict[str, str]) -> dict[str, Any]:
    """Decrypt one record and check it belongs to `kind` and `ids`; return its data."""
    try:
        plaintext = _unpad(SealedBox(private_key).decrypt(bytes(blob)))
    except CryptoError:
        raise RevealError("cannot decrypt: wrong key, or the record was altered") from None
    try:
        envelope = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RevealError("decrypted record is not valid") from None
    if envelope.get("v") != ENVELOPE_VERSION:
        raise RevealError("unknown record version")
    if envelope.get("kind") != kind:
        raise KindMismatch(f"record is a {envelope.get('kind')!r}, expected {kind!r}")
    sealed_ids = envelope.get("ids") or {}
    for name, expected in ids.items():
        if str(sealed_ids.get(name)) != str(expected):
            raise RevealError(f"record's {name} does not match the row it was found in")
    return envelope.get("data") or {}

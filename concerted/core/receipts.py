"""Receipt codes: random, shown once to the participant, stored only as a hash."""

from __future__ import annotations

import base64
import re
import secrets

from concerted.core.hashing import code_hash

_CODE_RE = re.compile(r"^[A-Z2-7]{26}$")


def new_receipt() -> tuple[str, str]:
    """Return (code, hash). The code is 130 random bits in base32, easy to read aloud."""
    code = base64.b32encode(secrets.token_bytes(17)).decode("ascii").rstrip("=")[:26]
    return code, receipt_hash(code)


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    return code_hash(normalize(code), "receipt")


def looks_valid(code: str) -> bool:
    return bool(_CODE_RE.match(normalize(code)))


def display(code: str) -> str:
    """Groups of four for reading and copying: ABCD-EFGH-..."""
    code = normalize(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

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


# A code is base32 (A-Z and 2-7), so 0, 1 and 8 never occur in one: someone who copied
# O, I or B by hand as a digit still gets their receipt.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalize(code: str) -> str:
    return "".join(ch for ch in code.upper().translate(_LOOKALIKES) if ch.isalnum())


def typed_code(text: str) -> str:
    """What a receipt-lookup box was given, as a code: the receipt page tells people to
    keep its link, so a pasted link (".../r/CODE/") counts as its code; a box holding only
    spaces is an empty one (the form asks again, instead of "no such receipt")."""
    text = text.strip()
    _before, marker, after = text.rpartition("/r/")
    if marker:
        text = after.split("/", 1)[0].split("?", 1)[0]
    return text


def receipt_hash(code: str) -> str:
    return code_hash(normalize(code), "receipt")


def looks_valid(code: str) -> bool:
    return bool(_CODE_RE.match(normalize(code)))


def display(code: str) -> str:
    """Groups of four for reading and copying: ABCD-EFGH-..."""
    code = normalize(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

"""Text formats for the campaign keypair.

Public keys carry a prefix that private keys never share, so the server can tell a
pasted private key apart and refuse it instead of storing it."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from django.utils.translation import gettext as _
from nacl.public import PrivateKey, PublicKey

PUBLIC_PREFIX = "concerted-public-key-1:"
PRIVATE_PREFIX = "concerted-PRIVATE-key-1:"


class KeyFormatError(ValueError):
    pass


class PrivateKeyRefused(KeyFormatError):
    pass


def format_public(key: PublicKey) -> str:
    return PUBLIC_PREFIX + base64.b64encode(bytes(key)).decode("ascii")


def format_private(key: PrivateKey) -> str:
    return PRIVATE_PREFIX + base64.b64encode(bytes(key)).decode("ascii")


def _decode32(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise KeyFormatError(_("not valid base64")) from None
    if len(raw) != 32:
        raise KeyFormatError(_("a key is 32 bytes, this one is %(n)d") % {"n": len(raw)})
    return raw


def parse_public(text: str) -> PublicKey:
    text = (text or "").strip()
    if PRIVATE_PREFIX.lower() in text.lower():
        raise PrivateKeyRefused("this is a private key")
    if not text.startswith(PUBLIC_PREFIX):
        raise KeyFormatError(_("a public key starts with %(prefix)s") % {"prefix": repr(PUBLIC_PREFIX)})
    raw = _decode32(text[len(PUBLIC_PREFIX) :])
    if raw == bytes(32):
        raise KeyFormatError(_("the all-zero key is not a usable public key"))
    return PublicKey(raw)


def parse_private(text: str) -> PrivateKey:
    text = (text or "").strip()
    if not text.startswith(PRIVATE_PREFIX):
        raise KeyFormatError(_("a private key starts with %(prefix)s") % {"prefix": repr(PRIVATE_PREFIX)})
    return PrivateKey(_decode32(text[len(PRIVATE_PREFIX) :]))


def read_private_file(path: str | Path) -> PrivateKey:
    """Load the committee private key from the organizer's disk, with a clear error."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFormatError(
            _("can't read the key file %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    except UnicodeDecodeError:
        raise KeyFormatError(_("%(file)s is not a Concerted private key") % {"file": path}) from None
    if text.strip().startswith(PUBLIC_PREFIX):
        raise KeyFormatError(_("%(file)s is the PUBLIC key; give the private one (committee.key)") % {"file": path})
    try:
        return parse_private(text)
    except KeyFormatError as exc:
        raise KeyFormatError(
            _("%(file)s is not a Concerted private key (%(error)s)") % {"file": path, "error": exc}
        ) from None

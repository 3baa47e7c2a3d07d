"""Single-use invite codes: make them, check them (GET), use them up (POST).

A code is 10 random characters from core.shortcodes.ALPHABET (31 symbols, no 0/o/1/i/l)
plus one check character, about 49.5 random bits. The check character makes the
weighted sum of all 11 symbols (weights 1..11) divisible by 31; 31 is prime, so every
single wrong character and every swap of two characters is caught and reported as a
typo instead of "not valid".

Only a keyed hash of each code is stored. The key is the campaign's invite-code key
(core/hashing.py), which lives outside the database: 49.5 bits is too few to survive a brute force
against an unkeyed hash, but a stolen database alone can't be searched without the key.
The hash also covers the target (petition, pledge, ...), so a code works only there.

Each code is also kept sealed to the committee key (core/sealing.py) in its row, so the
committee can print a lost card again on its own computer (`concerted codes print`):
the server can't open it. Using a code deletes its row, sealed copy included, and adds
one to its batch's `used` counter in the caller's transaction. Nothing records which
code was used, so "print again" prints only the codes not yet used. Voiding a batch
deletes all of its unused rows: those codes then fail like a used one (a distinct
"voided" answer would tell whoever holds a card whether it was used before the void)."""

from __future__ import annotations

import enum
import hashlib
import secrets
import unicodedata
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from concerted.core import sealing
from concerted.core.days import today
from concerted.core.erase import purge_deleted
from concerted.core.hashing import code_key
from concerted.core.shortcodes import ALPHABET

from .models import InviteBatch, InviteCode

RANDOM_LENGTH = 10
LENGTH = RANDOM_LENGTH + 1
SEALED_KIND = "invites.code"  # the envelope kind of a sealed code (and of its export)
MAX_BATCH = 400  # 50 pages of cards, built in a few seconds; make several batches for more
_BASE = len(ALPHABET)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SEPARATORS = " -_.\u00a0\u2010\u2011\u2012\u2013\u2014\u2212/"
_NEVER_IN_CODES = "0o1il"
assert _BASE == 31, "the check character relies on a prime-sized alphabet"


class Result(enum.StrEnum):
    """What check() says about a code, without using it up."""

    VALID = "valid"
    EMPTY = "empty"
    MALFORMED = "malformed"  # wrong length or characters no code contains
    TYPO = "typo"  # right shape, wrong check character
    UNKNOWN = "unknown"  # not a code for this target, or already used (we can't tell which)


class InviteRefused(Exception):
    """A code that can't be used; `message` is ready to show to the participant."""

    def __init__(self, result: Result, message: str) -> None:
        super().__init__(message)
        self.result = result
        self.message = message


@dataclass(frozen=True)
class Parsed:
    result: Result
    code: str = ""  # normalized, when the shape is right
    message: str = ""


def _check_char(body: str) -> str:
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body))
    # Want total + LENGTH * c == 0 (mod 31): c = -total * LENGTH^-1.
    inverse = pow(LENGTH, -1, _BASE)
    return ALPHABET[(-total * inverse) % _BASE]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_char(body)


def display(code: str) -> str:
    """abcd-efgh-jkm: groups for reading off paper."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def prefill(text: str) -> str:
    """What to put in the form from an invite link: the dashed form of a well-formed
    code, else what was given, so the participant sees what to fix."""
    parsed = parse(text)
    return display(parsed.code) if parsed.result == Result.VALID else text


def normalize(text: str) -> str:
    """Fold case, full-width forms, spaces and dashes. Letters no code contains are kept,
    so parse() can say which one is wrong."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace())


def parse(text: str) -> Parsed:
    code = normalize(text)
    if not code:
        return Parsed(Result.EMPTY, message=_("Enter the invite code from your card."))
    strangers = sorted({ch for ch in code if ch not in _VALUE})
    if strangers:
        if all(ch in _NEVER_IN_CODES for ch in strangers):
            message = _("That code has a typo: codes never contain 0, o, 1, i or l. Check the code on your card again.")
        else:
            message = _("That code has a typo: it contains %(chars)s, and codes only have letters and digits.") % {
                "chars": " ".join(strangers)
            }
        return Parsed(Result.MALFORMED, message=message)
    if len(code) != LENGTH:
        return Parsed(
            Result.MALFORMED,
            message=_("That code has a typo: an invite code has %(n)d letters and digits, this one has %(got)d.")
            % {"n": LENGTH, "got": len(code)},
        )
    if _check_char(code[:-1]) != code[-1]:
        return Parsed(
            Result.TYPO,
            message=_("That code has a typo: one character is wrong or two are swapped. Check it against your card."),
        )
    return Parsed(Result.VALID, code=code)


def unknown_message(unknown: str = "") -> str:
    """`unknown`: the first sentence naming what the code is for (a survey, a ballot),
    for a caller that catches InviteRefused with Result.UNKNOWN; the default names a
    petition or pledge."""
    # Also the answer for a card of a voided batch: see the module docstring for why it
    # can't differ from "already used".
    return (
        (
            unknown
            or _(
                "That invite code doesn't work here. Each code works only once and only for the petition or pledge "
                "on its card; it may already have been used. Ask the committee for a new one."
            )
        )
        + " "
        + _("Cards from a batch the committee has voided don't work either.")
    )


# What a sealed blank holds instead of a code (sealed_records); never a valid code.
PADDING = ""


def code_hash(campaign_id: uuid.UUID | str, target_kind: str, target_id: uuid.UUID | str, code: str) -> str:
    message = f"{target_kind}:{uuid.UUID(str(target_id)).hex}:{code}".encode()
    return hashlib.blake2b(
        message, key=code_key(str(campaign_id)), digest_size=32, person=b"concerted-invite"
    ).hexdigest()


def _campaign_of(target_kind: str, target_id: uuid.UUID | str) -> uuid.UUID | None:
    return (
        InviteBatch.objects.filter(target_kind=target_kind, target_id=target_id)
        .values_list("campaign_id", flat=True)
        .first()
    )


def sealed_ids(campaign_id: uuid.UUID | str, batch: InviteBatch, digest: str) -> dict[str, str]:
    """What a sealed code belongs to: a server can't pass a code of one batch or target
    off as another's (the card would print with the wrong address)."""
    return {
        "campaign": str(campaign_id),
        "batch": str(batch.pk),
        "row": digest,
        "target": f"{batch.target_kind}:{uuid.UUID(str(batch.target_id))}",
    }


def create_batch(
    campaign: object, target_kind: str, target_id: uuid.UUID | str, count: int, label: str = ""
) -> tuple[InviteBatch, list[str]]:
    """Make `count` codes. The plaintext list is returned once (for the PDF) and never
    stored: each row holds the keyed hash and, when the campaign has its committee key,
    the code sealed to that key."""
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} codes")
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    campaign_id = campaign.pk  # type: ignore[attr-defined]
    public = campaign.nacl_public_key() if campaign.has_key else None  # type: ignore[attr-defined]
    with transaction.atomic():
        batch = InviteBatch.objects.create(
            campaign_id=campaign_id,
            target_kind=target_kind,
            target_id=target_id,
            label=label,
            size=count,
            sealed=public is not None,
        )
        # Insert in a different random order than the cards are printed in, so row order
        # in the database doesn't match the order of the cards.
        order = list(codes)
        secrets.SystemRandom().shuffle(order)
        rows = []
        for c in order:
            digest = code_hash(campaign_id, target_kind, target_id, c)
            sealed = None
            if public is not None:
                ids = sealed_ids(campaign_id, batch, digest)
                sealed = sealing.seal(public, kind=SEALED_KIND, ids=ids, data={"code": c})
            rows.append(InviteCode(batch=batch, code_hash=digest, sealed=sealed))
        InviteCode.objects.bulk_create(rows)
    return batch, codes


def sealed_records(batch: InviteBatch) -> list[dict[str, object]]:
    """The batch's unused codes, sealed, as export records (core/export.py), in hash
    order (unrelated to the order of the cards), padded to the batch's size with sealed
    blanks (PADDING). Without the padding, the number of records downloaded now and
    later would be the batch's exact use over time, which the committee's pages show
    only as released (invites/usage.py); the committee key tells blanks from codes."""
    rows = batch.codes.exclude(sealed=None).values_list("code_hash", "sealed")
    target = f"{batch.target_kind}:{uuid.UUID(str(batch.target_id))}"
    records: list[dict[str, object]] = [
        {"id": digest, "target": target, "sealed": bytes(blob)} for digest, blob in rows
    ]
    public = batch.campaign.nacl_public_key() if batch.campaign.has_key else None
    if public is not None:
        for _blank in range(batch.size - len(records)):
            digest = secrets.token_hex(32)  # the same form as a code's keyed hash
            ids = sealed_ids(batch.campaign_id, batch, digest)
            blank = sealing.seal(public, kind=SEALED_KIND, ids=ids, data={"code": PADDING})
            records.append({"id": digest, "target": target, "sealed": blank})
    records.sort(key=lambda record: str(record["id"]))
    return records


def void_batch(batch: InviteBatch) -> int:
    """Make every unused code of the batch refuse, and delete their sealed copies.
    Returns how many codes were still unused. Used codes were deleted when used."""
    with transaction.atomic():
        locked = InviteBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.voided:
            return 0
        deleted, _detail = InviteCode.objects.filter(batch=locked).delete()
        locked.voided = today()
        locked.save(update_fields=["voided"])
    purge_deleted(InviteCode._meta.db_table)
    batch.refresh_from_db()
    return deleted


def check(target_kind: str, target_id: uuid.UUID | str, code: str) -> Result:
    """Would this code work? Uses nothing up. For the committee's own checks and tests,
    never for a page (see message_for)."""
    parsed = parse(code)
    if parsed.result != Result.VALID:
        return parsed.result
    campaign_id = _campaign_of(target_kind, target_id)
    if campaign_id is None:
        return Result.UNKNOWN
    exists = InviteCode.objects.filter(
        code_hash=code_hash(campaign_id, target_kind, target_id, parsed.code),
        batch__target_kind=target_kind,
        batch__target_id=target_id,
    ).exists()
    return Result.VALID if exists else Result.UNKNOWN


def message_for(code: str) -> str:
    """For a GET (an invite link): a sentence when the code is mistyped, else nothing.

    Only the code's shape is checked, never the database: if a GET said whether a code
    exists or was used, anyone holding a photographed card could learn whether its
    owner acted. Use or non-use is learned only by the person who submits the form."""
    parsed = parse(code)
    return parsed.message if parsed.result != Result.VALID else ""


def consume(target_kind: str, target_id: uuid.UUID | str, code: str) -> InviteBatch:
    """Use a code up, inside the caller's transaction.atomic() (with the participant's
    row), or raise InviteRefused. Two concurrent POSTs can't both use one code: the row
    is locked (PostgreSQL) or the transaction holds the write lock (SQLite, IMMEDIATE),
    and the delete must remove exactly one row."""
    if not connection.in_atomic_block:
        raise RuntimeError("invites.codes.consume() must run inside transaction.atomic()")
    parsed = parse(code)
    if parsed.result != Result.VALID:
        raise InviteRefused(parsed.result, parsed.message)
    campaign_id = _campaign_of(target_kind, target_id)
    if campaign_id is None:
        raise InviteRefused(Result.UNKNOWN, unknown_message())
    digest = code_hash(campaign_id, target_kind, target_id, parsed.code)
    batch_id = (
        InviteCode.objects.select_for_update(of=("self",))
        .filter(code_hash=digest, batch__target_kind=target_kind, batch__target_id=target_id)
        .values_list("batch_id", flat=True)
        .first()
    )
    if batch_id is None:
        raise InviteRefused(Result.UNKNOWN, unknown_message())
    deleted, _detail = InviteCode.objects.filter(code_hash=digest).delete()
    if deleted != 1:
        raise InviteRefused(Result.UNKNOWN, unknown_message())
    InviteBatch.objects.filter(pk=batch_id).update(used=F("used") + 1)
    # The WAL would hold the deleted row next to the participant's new row, linking the
    # two; after commit, fold the WAL into the (secure_delete) database file.
    purge_deleted(InviteCode._meta.db_table)
    return InviteBatch.objects.get(pk=batch_id)


def consume_now(target_kind: str, target_id: uuid.UUID | str, code: str) -> InviteBatch:
    """consume() in a transaction of its own: for demo data and tests, not for signing."""
    with transaction.atomic():
        return consume(target_kind, target_id, code)

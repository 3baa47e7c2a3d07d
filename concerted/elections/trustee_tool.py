"""The trustee's side of the key ceremony and the tally, run on the trustee's own
machine by `concerted election trustee ...`. The state file holds this trustee's
secrets (its box key, then its key share); it never goes to the server.

Shares travel through the server sealed to the recipient's box key (libsodium sealed
boxes via PyNaCl): the server relays them and cannot read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from nacl.encoding import HexEncoder
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from concerted.core.kanon import MIN_COUNT

from . import evcrypto as ev


class TrusteeError(Exception):
    """A step that can't go on; the message says why and what to do."""


STATE_KEYS = {"election": str, "index": int, "box_secret": str, "box_public": str}


def new_state(election_id: str, index: int) -> dict[str, Any]:
    box = PrivateKey.generate()
    return {
        "election": election_id,
        "index": index,
        "box_secret": box.encode(HexEncoder).decode(),
        "box_public": box.public_key.encode(HexEncoder).decode(),
    }


def save_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.chmod(0o600)
    tmp.replace(path)


def load_state(path: Path) -> dict[str, Any]:
    """This trustee's state file, or TrusteeError saying what is wrong with it."""
    try:
        state = json.loads(path.read_text())
    except FileNotFoundError:
        raise TrusteeError(
            _("%(file)s does not exist: give the --state file you ran init with.") % {"file": path}
        ) from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise TrusteeError(_("Can't read %(file)s: %(error)s") % {"file": path, "error": exc}) from None
    if not isinstance(state, dict) or any(not isinstance(state.get(k), t) for k, t in STATE_KEYS.items()):
        raise TrusteeError(
            _("%(file)s is not a trustee state file (the file `concerted election trustee init` writes).")
            % {"file": path}
        )
    return state


def my_entry(state: dict[str, Any], roster: dict[str, Any]) -> dict[str, Any]:
    """This trustee in the server's roster, checked against the state file's key."""
    if str(roster.get("election")) != state["election"]:
        raise TrusteeError(_("This state file is for another election."))
    me = next((t for t in roster["trustees"] if t["index"] == state["index"]), None)
    if me is None or me["box_public"] != state["box_public"]:
        raise TrusteeError(
            _(
                "This state file's key is not the one the server has for trustee %(index)d: use the state file "
                "you ran init with (if it is lost, the organizers can start the key ceremony again until "
                "someone has dealt)."
            )
            % {"index": state["index"]}
        )
    return me


def deal(state: dict[str, Any], roster: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Pick this trustee's polynomial; publish commitments, seal one share to each trustee."""
    trustees = roster["trustees"]
    if any(not t["box_public"] for t in trustees):
        raise TrusteeError(_("Not every trustee has registered a key yet: try again when all have run init."))
    _coeffs, public, shares = ev.deal(state["election"], state["index"], roster["threshold"], len(trustees))
    sealed = {}
    for t in trustees:
        box = SealedBox(PublicKey(t["box_public"].encode(), HexEncoder))
        payload = json.dumps(
            {
                "election": state["election"],
                "from": state["index"],
                "to": t["index"],
                "share": ev.hx(shares[t["index"]]),
            }
        )
        sealed[str(t["index"])] = box.encrypt(payload.encode(), HexEncoder).decode()
    return public, sealed


def receive(state: dict[str, Any], roster: dict[str, Any], messages: dict[str, str]) -> list[str]:
    """Open the shares sent to me, check each against its dealer's commitments, sum them.
    Returns the proof that I hold the resulting key share."""
    box = SealedBox(PrivateKey(state["box_secret"].encode(), HexEncoder))
    dealers = {t["index"]: t["dealer"] for t in roster["trustees"]}
    if any(d is None for d in dealers.values()) or set(map(int, messages)) != set(dealers):
        raise TrusteeError(_("Not every trustee has dealt yet: try again when all have run deal."))
    total = 0
    for sender, blob in messages.items():
        try:
            payload = json.loads(box.decrypt(blob.encode(), HexEncoder))
        except CryptoError:
            raise TrusteeError(
                _(
                    "The share from trustee %(sender)s can't be opened with this state file's key: use the state "
                    "file you ran init with for this election."
                )
                % {"sender": sender}
            ) from None
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or (payload.get("election"), payload.get("from"), payload.get("to")) != (
            state["election"],
            int(sender),
            state["index"],
        ):
            raise TrusteeError(
                _("The share from trustee %(sender)s is addressed to someone else.") % {"sender": sender}
            )
        share = ev.scalar(payload["share"])
        if not ev.verify_dealer(state["election"], dealers[int(sender)], roster["threshold"]):
            raise TrusteeError(_("Trustee %(sender)s's commitments do not verify.") % {"sender": sender})
        if not ev.check_share(dealers[int(sender)], state["index"], share):
            raise TrusteeError(
                _(
                    "Trustee %(sender)s sent a share that does not match its commitments: tell the organizers "
                    "(the ceremony starts again with new trustees)."
                )
                % {"sender": sender}
            )
        total = (total + share) % ev.L
    if ev.base(total) != ev.verification_key(list(dealers.values()), state["index"]):
        raise TrusteeError(_("My key share does not match the public commitments."))
    state["share"] = ev.hx(total)
    return ev.schnorr_sign(total, "concerted/share-pok", [state["election"], str(state["index"])])


def decrypt(state: dict[str, Any], board: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Check the closed board, then decrypt only its homomorphic sums (never a single ballot)."""
    if "share" not in state:
        raise TrusteeError(
            _("This state file holds no key share yet: run `receive` with it first (during the key ceremony).")
        )
    if not isinstance(board, dict) or not board.get("manifest") or "closing" not in board:
        raise TrusteeError(_("Voting isn't closed yet: run decrypt after the organizers close voting."))
    report = ev.verify_board(board)
    if not report.ok:
        raise TrusteeError(
            _("The board does not verify: %(step)s. Decrypt nothing; tell the organizers and the other trustees.")
            % {"step": report.failed_step()}
        )
    manifest = board["manifest"]
    excluded = {e["tracker"] for e in board["closing"]["excluded"]}
    counted = [b for batch in board["batches"] for b in batch["ballots"] if ev.tracker(b) not in excluded]
    # This trustee's own floor, whatever the server's manifest says: an exact count of
    # very few ballots shows how each of them voted.
    need = max(MIN_COUNT, int(manifest.get("min_counted", 0)))
    if len(counted) < need:
        raise TrusteeError(
            ngettext(
                "Only %(have)d ballot is counted, fewer than the %(need)d needed to count a vote secretly: "
                "decrypting would show how they voted. Decrypt nothing; the committee should run the vote again.",
                "Only %(have)d ballots are counted, fewer than the %(need)d needed to count a vote secretly: "
                "decrypting would show how they voted. Decrypt nothing; the committee should run the vote again.",
                len(counted),
            )
            % {"have": len(counted), "need": need}
        )
    sums = ev.homomorphic_sums(manifest, counted)
    x = ev.scalar(state["share"])
    fp = ev.fingerprint(manifest)
    return [ev.partial_decrypt(fp, state["index"], x, [a for a, _ in row]) for row in sums]

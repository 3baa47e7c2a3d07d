"""The trustee's side of the key ceremony and the tally, run on the trustee's own
machine by `concerted election trustee ...`. The state file holds this trustee's
secrets (its box key, then its key share); it never goes to the server.

Shares travel through the server sealed to the recipient's box key (libsodium sealed
boxes via PyNaCl): the server relays them and cannot read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nacl.encoding import HexEncoder
from nacl.public import PrivateKey, PublicKey, SealedBox

from . import evcrypto as ev


class TrusteeError(Exception):
    pass


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
    return json.loads(path.read_text())


def deal(state: dict[str, Any], roster: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Pick this trustee's polynomial; publish commitments, seal one share to each trustee."""
    trustees = roster["trustees"]
    if any(not t["box_public"] for t in trustees):
        raise TrusteeError("not every trustee has registered a key yet")
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
        raise TrusteeError("not every trustee has dealt yet")
    total = 0
    for sender, blob in messages.items():
        payload = json.loads(box.decrypt(blob.encode(), HexEncoder))
        if (payload["election"], payload["from"], payload["to"]) != (state["election"], int(sender), state["index"]):
            raise TrusteeError(f"the share from trustee {sender} is addressed to someone else")
        share = ev.scalar(payload["share"])
        if not ev.verify_dealer(state["election"], dealers[int(sender)], roster["threshold"]):
            raise TrusteeError(f"trustee {sender}'s commitments do not verify")
        if not ev.check_share(dealers[int(sender)], state["index"], share):
            raise TrusteeError(f"trustee {sender} sent a share that does not match its commitments")
        total = (total + share) % ev.L
    state["share"] = ev.hx(total)
    if ev.base(total) != ev.verification_key(list(dealers.values()), state["index"]):
        raise TrusteeError("my key share does not match the public commitments")
    return ev.schnorr_sign(total, "concerted/share-pok", [state["election"], str(state["index"])])


def decrypt(state: dict[str, Any], board: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Check the closed board, then decrypt only its homomorphic sums (never a single ballot)."""
    report = ev.verify_board(board)
    if not report.ok:
        raise TrusteeError(f"the board does not verify: {report.failed_step()}")
    if "closing" not in board:
        raise TrusteeError("the election is not closed")
    manifest = board["manifest"]
    excluded = {e["tracker"] for e in board["closing"]["excluded"]}
    counted = [b for batch in board["batches"] for b in batch["ballots"] if ev.tracker(b) not in excluded]
    sums = ev.homomorphic_sums(manifest, counted)
    x = ev.scalar(state["share"])
    fp = ev.fingerprint(manifest)
    return [ev.partial_decrypt(fp, state["index"], x, [a for a, _ in row]) for row in sums]

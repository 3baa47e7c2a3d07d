"""A small election made entirely in memory, as trustees and a committee would make it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from concerted.elections import evcrypto as ev

YES_NO = {"text": "Authorize a strike?", "options": ["Yes", "No"], "min": 1, "max": 1}
BOARD = {
    "text": "Bargaining committee (up to 3)",
    "options": [f"Candidate {i}" for i in range(1, 9)],
    "min": 0,
    "max": 3,
}


@dataclass
class Election:
    manifest: dict[str, Any]
    shares: dict[int, int]
    codes: list[str]
    credentials: list[str]
    ballots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fp(self) -> str:
        return ev.fingerprint(self.manifest)


def make_election(
    *,
    t: int = 2,
    n: int = 3,
    voters: int = 10,
    questions: list[dict[str, Any]] | None = None,
    eid: str = "test-election",
) -> Election:
    dealt = [ev.deal(eid, i, t, n) for i in range(1, n + 1)]
    dealers = [d[1] for d in dealt]
    shares = {j: sum(d[2][j] for d in dealt) % ev.L for j in range(1, n + 1)}
    manifest = {
        "id": eid,
        "title": "Test election",
        "questions": questions or [YES_NO],
        "threshold": t,
        "trustees": dealers,
        "public_key": ev.hx(ev.joint_public_key(dealers)),
        "min_electorate": 10,
    }
    codes = [ev.new_credential_code() for _ in range(voters)]
    creds = sorted(ev.credential_public(eid, c) for c in codes)
    return Election(manifest, shares, codes, creds)


def board_for(
    e: Election,
    ballots: list[dict[str, Any]],
    *,
    excluded: list[dict[str, str]] | None = None,
    trustees: tuple[int, ...] | None = None,
    day: str = "2026-11-30",
) -> dict[str, Any]:
    """A closed, tallied board holding `ballots` in one final batch."""
    ordered = sorted(ballots, key=ev.tracker)
    h = ev.batch_hash(e.fp, day, ordered, True)
    board: dict[str, Any] = {
        "format": ev.FORMAT,
        "manifest": e.manifest,
        "credentials": e.credentials,
        "revoked": [],
        "batches": [{"day": day, "prev": e.fp, "ballots": ordered, "final": True, "hash": h}],
    }
    excluded = excluded or []
    board["closing"] = {"prev": h, "excluded": excluded, "hash": ev.closing_hash(h, e.credentials, [], excluded)}
    gone = {x["tracker"] for x in excluded}
    counted = [b for b in ordered if ev.tracker(b) not in gone]
    sums = ev.homomorphic_sums(e.manifest, counted)
    trustees = trustees or tuple(range(1, e.manifest["threshold"] + 1))
    partials = {j: partials_for(e, j, sums) for j in trustees}
    result = ev.decrypt_counts(e.manifest, sums, partials, len(counted))
    board["tally"] = {"partials": [{"trustee": j, "shares": s} for j, s in partials.items()], "result": result}
    return board


def partials_for(e: Election, j: int, sums: list[list[tuple[bytes, bytes]]]) -> list[list[dict[str, Any]]]:
    return [ev.partial_decrypt(e.fp, j, e.shares[j], [a for a, _ in row]) for row in sums]

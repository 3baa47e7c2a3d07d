"""The election cryptography, checked against RFC 9496 and by properties (hypothesis)."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from pathlib import Path

import pytest
import rbcl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerted.elections import evcrypto as ev

from .factory import BOARD, YES_NO, board_for, make_election

VECTORS = json.loads((Path(__file__).parent / "rfc9496_vectors.json").read_text())
FEW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_it_matches_rfc9496_multiples_of_the_generator() -> None:
    for k, expected in enumerate(VECTORS["multiples"]):
        assert ev.hx(ev.base(k)) == expected
        assert ev.hx(ev.small(k)) == expected


def test_it_refuses_rfc9496_bad_encodings() -> None:
    for bad in VECTORS["bad_encodings"]:
        with pytest.raises(ev.Invalid):
            ev.point(bad)


def test_it_matches_rfc9496_hash_to_group() -> None:
    for text, expected in VECTORS["from_hash"]:
        assert rbcl.crypto_core_ristretto255_from_hash(hashlib.sha512(text.encode()).digest()).hex() == expected


def test_it_reduces_sha512_for_hash_to_scalar() -> None:
    digest = hashlib.sha512(b"\x00\x00\x00\x01x").digest()
    assert ev.hash_to_scalar("x") == int.from_bytes(digest, "little") % ev.L


def _choices(draw, q):
    k = draw(st.integers(q["min"], q["max"]))
    picks = draw(st.permutations(range(len(q["options"]))))[:k]
    return [1 if i in picks else 0 for i in range(len(q["options"]))]


@st.composite
def votes(draw, questions, n):
    return [[_choices(draw, q) for q in questions] for _ in range(n)]


ELECTION = make_election(questions=[YES_NO, BOARD], voters=12)


@FEW
@given(votes([YES_NO, BOARD], 4))
def test_it_tallies_the_plaintext_sum(plain) -> None:
    e = ELECTION
    ballots = [ev.encrypt_ballot(e.manifest, code, v)[0] for code, v in zip(e.codes, plain, strict=False)]
    report = ev.verify_board(board_for(e, ballots))
    assert report.ok, report.failed_step()
    expected = [
        [sum(v[qi][oi] for v in plain) for oi in range(len(q["options"]))]
        for qi, q in enumerate(e.manifest["questions"])
    ]
    assert report.result == expected


def _one_board():
    e = make_election(questions=[YES_NO], voters=10)
    ballots = [ev.encrypt_ballot(e.manifest, code, [[i % 2, 1 - i % 2]])[0] for i, code in enumerate(e.codes[:5])]
    return e, ballots, board_for(e, ballots)


E1, B1, BOARD1 = _one_board()


def test_it_passes_an_honest_board() -> None:
    report = ev.verify_board(copy.deepcopy(BOARD1))
    assert report.ok, report.failed_step()
    assert report.result == [[2, 3]]


@FEW
@given(st.integers(0, 4), st.sampled_from(["alpha", "beta", "proof", "sum_proof", "signature"]), st.integers(0, 31))
def test_it_refuses_a_tampered_ciphertext_or_proof(which, field, byte) -> None:
    board = copy.deepcopy(BOARD1)
    ballot = board["batches"][0]["ballots"][which]
    if field == "signature":
        target, key = ballot["signature"], 1
    elif field == "sum_proof":
        target, key = ballot["answers"][0]["sum_proof"][0], 1
    elif field == "proof":
        target, key = ballot["answers"][0]["choices"][0]["proof"][1], 0
    else:
        target, key = ballot["answers"][0]["choices"][0], field
    old = bytearray(bytes.fromhex(target[key]))
    old[byte] ^= 1
    target[key] = old.hex()
    assert ev.verify_ballot(board["manifest"], ballot) is not None
    report = ev.verify_board(board)
    assert not report.ok


@FEW
@given(st.sampled_from(["drop", "swap", "day", "result", "credential"]))
def test_it_refuses_a_tampered_board_entry(how) -> None:
    board = copy.deepcopy(BOARD1)
    batch = board["batches"][0]
    if how == "drop":
        batch["ballots"].pop()
    elif how == "swap":
        batch["ballots"][0], batch["ballots"][1] = batch["ballots"][1], batch["ballots"][0]
    elif how == "day":
        batch["day"] = "2026-12-01"
    elif how == "result":
        board["tally"]["result"][0][0] += 1
    else:
        board["credentials"][0] = ev.hx(ev.base(ev.random_scalar()))
    assert not ev.verify_board(board).ok


@FEW
@given(st.integers(0, 4), st.integers(0, 31))
def test_it_refuses_a_tampered_partial_decryption(option, byte) -> None:
    board = copy.deepcopy(BOARD1)
    share = board["tally"]["partials"][0]["shares"][0][option % 2]
    raw = bytearray(bytes.fromhex(share["proof"][1] if byte % 2 else share["d"]))
    raw[byte] ^= 1
    if byte % 2:
        share["proof"][1] = raw.hex()
    else:
        share["d"] = raw.hex()
    report = ev.verify_board(board)
    assert not report.ok
    assert report.steps[-1][0] in ("partial decryptions", "format")


def test_it_refuses_a_copied_ballot() -> None:
    e = E1
    original = B1[0]
    # The same ballot twice on the board.
    assert "twice" in (ev.verify_board(board_for(e, [*B1, original])).failed_step() or "")
    # Its ciphertexts and proofs under another credential: the signature and proofs are bound to the first.
    thief = ev.credential_secret(e.manifest["id"], e.codes[9])
    copied = copy.deepcopy(original)
    copied["credential"] = ev.hx(ev.base(thief))
    copied["signature"] = ev.schnorr_sign(
        thief, "concerted/ballot-signature", [e.fp, copied["credential"], ev.sha256_hex(ev.canon(copied["answers"]))]
    )
    assert "proof" in (ev.verify_ballot(e.manifest, copied) or "")


def test_it_counts_one_ballot_per_credential_after_a_revote() -> None:
    e = E1
    revote = ev.encrypt_ballot(e.manifest, e.codes[0], [[0, 1]])[0]
    first = next(b for b in B1 if b["credential"] == revote["credential"])
    both = [*B1, revote]
    # Both counted: refused.
    assert "one ballot per credential" in (ev.verify_board(board_for(e, both)).failed_step() or "")
    report = ev.verify_board(board_for(e, both, excluded=[{"tracker": ev.tracker(first), "reason": "replaced"}]))
    assert report.ok, report.failed_step()
    assert sum(report.result[0]) == 5


def test_it_survives_losing_trustees_but_not_below_t() -> None:
    e = make_election(t=2, n=3, questions=[YES_NO])
    ballots = [ev.encrypt_ballot(e.manifest, c, [[1, 0]])[0] for c in e.codes[:5]]
    for pair in itertools.combinations((1, 2, 3), 2):
        report = ev.verify_board(board_for(e, ballots, trustees=pair))
        assert report.ok and report.result == [[5, 0]]
    board = board_for(e, ballots)
    board["tally"]["partials"] = board["tally"]["partials"][:1]
    assert "partial decryptions" in (ev.verify_board(board).failed_step() or "")


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n))))
def test_it_needs_t_trustees_to_decrypt(nt) -> None:
    n, t = nt
    e = make_election(t=t, n=n, voters=1)
    pk = bytes.fromhex(e.manifest["public_key"])
    full = ev.lagrange_at_zero(list(range(1, t + 1)))
    assert ev.base(sum(full[i] * e.shares[i] for i in full) % ev.L) == pk
    for few in itertools.combinations(range(1, n + 1), t - 1):
        if not few:
            continue
        lam = ev.lagrange_at_zero(list(few))
        assert ev.base(sum(lam[i] * e.shares[i] for i in few) % ev.L) != pk


def test_it_audits_a_spoiled_ballot() -> None:
    e = E1
    ballot, secrets = ev.encrypt_ballot(e.manifest, e.codes[0], [[1, 0]])
    assert ev.audit_spoiled(e.manifest, ballot, secrets)
    secrets.choices = [[0, 1]]
    assert not ev.audit_spoiled(e.manifest, ballot, secrets)


def test_it_refuses_a_dealer_without_a_key_proof() -> None:
    e = make_election()
    dealer = copy.deepcopy(e.manifest["trustees"][0])
    dealer["pok"][1] = ev.hx(ev.random_scalar())
    assert not ev.verify_dealer(e.manifest["id"], dealer, 2)


def test_it_imports_no_server_code() -> None:
    import ast

    for name in ("evcrypto.py", "verifier.py"):
        source = (Path(ev.__file__).parent / name).read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for mod in mods:
                    assert not mod.startswith(("django", "concerted")), f"{name} imports {mod}"

"""Verifiable secret ballots on ristretto255: a standalone module anyone can read.

It imports nothing from the Concerted server (only the standard library and rbcl, a
maintained binding of libsodium's ristretto255 functions), so the election verifier
built on it (`verify_board`) trusts no server code. The same arithmetic runs in the
voter's browser (static/js/ballot.js, libsodium's sumo build).

Scheme (Helios / Belenios family):
- exponential ElGamal under the trustees' joint key H: Enc(m; r) = (rG, mG + rH);
- per option a disjunctive Chaum-Pedersen proof that the plaintext is 0 or 1, and one
  on the question's sum (exactly one, or between min and max);
- strong Fiat-Shamir: each challenge hashes the election fingerprint (which covers the
  election id and the public key), the voter's public credential, the ciphertext and
  every commitment;
- each ballot is signed (Schnorr) with the voter's credential: the server holds only
  public credentials, so it cannot cast a ballot for anyone;
- trustees: Feldman verifiable secret sharing by every trustee, summed (a simplified
  distributed key generation); any t of n decrypt the homomorphic sum, each with a
  Chaum-Pedersen proof of its partial decryption.

Points travel as hex of their 32-byte ristretto255 encoding, scalars as hex of 32
little-endian bytes; challenges are SHA-512 reduced mod the group order.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import rbcl

L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = bytes(32)
FORMAT = "concerted-election-board/1"
MIN_BATCH = 5
# The fewest counted ballots a tally may decrypt: an exact count of fewer can show how
# each voter voted. The project's k (concerted/core/kanon.py MIN_COUNT, which the server
# writes into each manifest as "min_counted"; a test keeps the two equal, as this module
# imports no server code). A manifest may ask for more, never for fewer.
MIN_COUNTED = 5

# Group operations performed (the bench reports them next to the integer group's).
OPS: Counter[str] = Counter()


class Invalid(ValueError):
    """A malformed or wrong element, proof, ballot or board."""


# --- group ------------------------------------------------------------------


def _sb(k: int) -> bytes:
    return (k % L).to_bytes(32, "little")


def base(k: int) -> bytes:
    OPS["exp"] += 1
    return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(_sb(k))


def mul(k: int, p: bytes) -> bytes:
    OPS["exp"] += 1
    return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(_sb(k), p)


def add(p: bytes, q: bytes) -> bytes:
    OPS["mul"] += 1
    return rbcl.crypto_core_ristretto255_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    OPS["mul"] += 1
    return rbcl.crypto_core_ristretto255_sub(p, q)


def random_scalar() -> int:
    return int.from_bytes(rbcl.crypto_core_ristretto255_scalar_random(), "little")


def point(text: Any) -> bytes:
    """A point from its hex encoding; refuses anything not a canonical ristretto255 encoding."""
    if not isinstance(text, str) or len(text) != 64:
        raise Invalid("not a group element")
    try:
        raw = bytes.fromhex(text)
    except ValueError as e:
        raise Invalid("not a group element") from e
    if not rbcl.crypto_core_ristretto255_is_valid_point(raw):
        raise Invalid("not a group element")
    return raw


def public_point(text: Any) -> bytes:
    """A credential or public key: a point (see `point`) other than the identity.

    The identity is the public half of the private key 0, which everyone knows: a ballot
    signed with it would count for anyone, and an election key or trustee commitment
    equal to it hides nothing. ristretto255 has prime order, so every other element
    generates the group and is a valid key; libsodium's is_valid_point accepts the
    identity (it is a group element), hence this check."""
    raw = point(text)
    if raw == IDENTITY:
        raise Invalid("the identity element, whose private key 0 everyone knows")
    return raw


def scalar(text: Any) -> int:
    if not isinstance(text, str) or len(text) != 64:
        raise Invalid("not a scalar")
    try:
        value = int.from_bytes(bytes.fromhex(text), "little")
    except ValueError as e:
        raise Invalid("not a scalar") from e
    if value >= L:
        raise Invalid("scalar not reduced")
    return value


def hx(value: bytes | int) -> str:
    return (_sb(value) if isinstance(value, int) else value).hex()


def hash_to_scalar(domain: str, *parts: bytes | str | int) -> int:
    """SHA-512 over length-prefixed parts, then reduced mod L (libsodium's scalar_reduce)."""
    h = hashlib.sha512()
    for part in (domain, *parts):
        if isinstance(part, int):
            raw = str(part).encode()
        elif isinstance(part, str):
            raw = part.encode()
        else:
            raw = part
        h.update(len(raw).to_bytes(4, "big"))
        h.update(raw)
    return int.from_bytes(rbcl.crypto_core_ristretto255_scalar_reduce(h.digest()), "little")


def canon(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, no spaces, ASCII): what every hash covers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_SMALL: dict[int, bytes] = {}


def small(v: int) -> bytes:
    """v·G for small v (cached: tallies and proofs use the same few)."""
    if v not in _SMALL:
        _SMALL[v] = base(v)
    return _SMALL[v]


# --- ElGamal and disjunctive Chaum-Pedersen proofs ----------------------------


def encrypt(pk: bytes, m: int, r: int) -> tuple[bytes, bytes]:
    alpha = base(r)
    beta = mul(r, pk)
    if m:
        beta = add(beta, small(m))
    return alpha, beta


def _shifted(beta: bytes, v: int) -> bytes:
    return beta if v == 0 else sub(beta, small(v))


def prove_member(
    pk: bytes, alpha: bytes, beta: bytes, r: int, m: int, values: Sequence[int], ctx: Sequence[bytes | str]
) -> list[list[str]]:
    """Proof that (alpha, beta) encrypts one of `values` (it encrypts m with randomness r)."""
    if m not in values:
        raise Invalid("the plaintext is not one of the allowed values")
    commits: list[bytes] = []
    sims: dict[int, tuple[int, int]] = {}
    w = random_scalar()
    for v in values:
        if v == m:
            commits += [base(w), mul(w, pk)]
        else:
            c, z = random_scalar(), random_scalar()
            sims[v] = (c, z)
            commits += [sub(base(z), mul(c, alpha)), sub(mul(z, pk), mul(c, _shifted(beta, v)))]
    c_all = hash_to_scalar("concerted/member", *ctx, pk, alpha, beta, *commits)
    c_real = (c_all - sum(c for c, _ in sims.values())) % L
    out = []
    for v in values:
        c, z = sims[v] if v != m else (c_real, (w + c_real * r) % L)
        out.append([hx(c), hx(z)])
    return out


def verify_member(
    pk: bytes, alpha: bytes, beta: bytes, values: Sequence[int], proof: Any, ctx: Sequence[bytes | str]
) -> bool:
    if not isinstance(proof, list) or len(proof) != len(values):
        return False
    commits: list[bytes] = []
    c_sum = 0
    try:
        for v, pair in zip(values, proof, strict=True):
            if not isinstance(pair, list) or len(pair) != 2:
                return False
            c, z = scalar(pair[0]), scalar(pair[1])
            c_sum += c
            commits += [sub(base(z), mul(c, alpha)), sub(mul(z, pk), mul(c, _shifted(beta, v)))]
    except Invalid:
        return False
    return c_sum % L == hash_to_scalar("concerted/member", *ctx, pk, alpha, beta, *commits)


def prove_dleq(x: int, g1: bytes, g2: bytes, h1: bytes, h2: bytes, ctx: Sequence[bytes | str]) -> list[str]:
    """Chaum-Pedersen: log_g1 h1 = log_g2 h2 (= x). g1 is G when g1 == b'' (base)."""
    w = random_scalar()
    a1 = base(w) if not g1 else mul(w, g1)
    a2 = mul(w, g2)
    c = hash_to_scalar("concerted/dleq", *ctx, g1, g2, h1, h2, a1, a2)
    return [hx(c), hx((w + c * x) % L)]


def verify_dleq(g1: bytes, g2: bytes, h1: bytes, h2: bytes, proof: Any, ctx: Sequence[bytes | str]) -> bool:
    try:
        if not isinstance(proof, list) or len(proof) != 2:
            return False
        c, z = scalar(proof[0]), scalar(proof[1])
    except Invalid:
        return False
    a1 = sub(base(z) if not g1 else mul(z, g1), mul(c, h1))
    a2 = sub(mul(z, g2), mul(c, h2))
    return c == hash_to_scalar("concerted/dleq", *ctx, g1, g2, h1, h2, a1, a2)


def schnorr_sign(x: int, domain: str, ctx: Sequence[bytes | str]) -> list[str]:
    k = random_scalar()
    c = hash_to_scalar(domain, *ctx, base(x), base(k))
    return [hx(c), hx((k + c * x) % L)]


def schnorr_verify(pub: bytes, proof: Any, domain: str, ctx: Sequence[bytes | str]) -> bool:
    try:
        if not isinstance(proof, list) or len(proof) != 2:
            return False
        c, z = scalar(proof[0]), scalar(proof[1])
    except Invalid:
        return False
    return c == hash_to_scalar(domain, *ctx, pub, sub(base(z), mul(c, pub)))


# --- election manifest --------------------------------------------------------


def question_values(q: dict[str, Any]) -> list[int]:
    return list(range(int(q["min"]), int(q["max"]) + 1))


def fingerprint(manifest: dict[str, Any]) -> str:
    """The election's hash: its id, questions, trustees' commitments and public key."""
    return sha256_hex(canon(manifest))


# --- the pass rule of a yes/no vote -------------------------------------------------
#
# The manifest states it, so the fingerprint (and every ballot's proofs) covers it and
# nobody can change it after voting opened: {"rule": "majority"} (more than half),
# {"rule": "2/3"} (at least two thirds), {"rule": "more" | "atleast", "percent": "66.5"}
# (a decimal string: a float would not be exact). It applies to the manifest's one
# question, whose options are Yes then No. "pass_rule": null is an election without one
# (choose one, choose up to k); a manifest with no "pass_rule" key was made before
# manifests carried the rule. The board page and this verifier both count with `passes`.

_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")


def pass_share(rule: Any) -> tuple[Fraction, bool]:
    """(the share of the votes cast that yes needs, whether reaching it exactly is enough)."""
    if not isinstance(rule, dict):
        raise Invalid("the pass rule is not a rule")
    kind = rule.get("rule")
    if kind == "majority" and set(rule) == {"rule"}:
        return Fraction(1, 2), False
    if kind == "2/3" and set(rule) == {"rule"}:
        return Fraction(2, 3), True
    if kind in ("more", "atleast") and set(rule) == {"rule", "percent"}:
        percent = rule["percent"]
        if isinstance(percent, str) and _PERCENT.fullmatch(percent) and Fraction(percent) <= 100:
            return Fraction(percent) / 100, kind == "atleast"
    raise Invalid("the pass rule is not one of: majority, 2/3, more or at least a percentage")


def passes(rule: Any, yes: int, no: int) -> bool:
    """Exact arithmetic (no rounding): two thirds means 2 of 3, not 66.67 %. Nothing cast passes nothing."""
    share, inclusive = pass_share(rule)
    cast = yes + no
    if cast == 0:
        return False
    got = Fraction(yes, cast)
    return got >= share if inclusive else got > share


def describe_rule(rule: Any) -> str:
    """The rule in plain English, with its exact fraction ("more than 66 % (33/50) of the votes cast")."""
    share, inclusive = pass_share(rule)
    words = "at least" if inclusive else "more than"
    if rule["rule"] == "majority":
        return "more than half (1/2) of the votes cast"
    if rule["rule"] == "2/3":
        return "at least two thirds (2/3) of the votes cast"
    return f"{words} {rule['percent']} % ({share}) of the votes cast"


def _check_rule(manifest: dict[str, Any]) -> str | None:
    """What the manifest's pass rule says, None if it has none; Invalid if it is not a rule
    or not on a yes/no question."""
    rule = manifest.get("pass_rule")
    if rule is None:
        return None
    pass_share(rule)
    questions = manifest["questions"]
    if len(questions) != 1 or len(questions[0]["options"]) != 2 or (questions[0]["min"], questions[0]["max"]) != (1, 1):
        raise Invalid("a pass rule needs one yes/no question")
    return describe_rule(rule)


# --- credentials (Belenios-style) ---------------------------------------------

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_credential_code() -> str:
    """A private credential: 20 symbols of 5 bits (100 bits), printed in groups of 5."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def normalize_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1")
    if len(raw) != 20 or any(ch not in CODE_ALPHABET for ch in raw):
        raise Invalid("not a voting code")
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def credential_secret(election_id: str, code: str) -> int:
    return hash_to_scalar("concerted/credential", election_id, normalize_code(code))


def credential_public(election_id: str, code: str) -> str:
    return hx(base(credential_secret(election_id, code)))


# --- ballots ---------------------------------------------------------------------


@dataclass
class Secrets:
    """What a Benaloh challenge reveals for a spoiled ballot: choices and randomness."""

    choices: list[list[int]]
    randomness: list[list[str]]


def _member_ctx(fp: str, cred: str, qi: int, oi: int | str) -> list[str]:
    return [fp, cred, str(qi), str(oi)]


def encrypt_ballot(manifest: dict[str, Any], code: str, choices: list[list[int]]) -> tuple[dict[str, Any], Secrets]:
    """Encrypt `choices` (per question, a 0/1 per option) and sign with the credential."""
    fp = fingerprint(manifest)
    pk = public_point(manifest["public_key"])
    x = credential_secret(manifest["id"], code)
    cred = hx(base(x))
    questions = manifest["questions"]
    if len(choices) != len(questions):
        raise Invalid("one answer per question")
    answers, rand = [], []
    for qi, (q, picks) in enumerate(zip(questions, choices, strict=True)):
        if len(picks) != len(q["options"]) or any(p not in (0, 1) for p in picks):
            raise Invalid("one 0 or 1 per option")
        total = sum(picks)
        if not q["min"] <= total <= q["max"]:
            raise Invalid("too many or too few choices")
        cts, rs = [], []
        sum_a, sum_b, sum_r = IDENTITY, IDENTITY, 0
        for oi, m in enumerate(picks):
            r = random_scalar()
            a, b = encrypt(pk, m, r)
            proof = prove_member(pk, a, b, r, m, (0, 1), _member_ctx(fp, cred, qi, oi))
            cts.append({"alpha": hx(a), "beta": hx(b), "proof": proof})
            rs.append(hx(r))
            sum_a, sum_b, sum_r = add(sum_a, a), add(sum_b, b), (sum_r + r) % L
        sum_proof = prove_member(pk, sum_a, sum_b, sum_r, total, question_values(q), _member_ctx(fp, cred, qi, "sum"))
        answers.append({"choices": cts, "sum_proof": sum_proof})
        rand.append(rs)
    ballot = {"election": fp, "credential": cred, "answers": answers}
    ballot["signature"] = schnorr_sign(x, "concerted/ballot-signature", [fp, cred, sha256_hex(canon(answers))])
    return ballot, Secrets(choices=[list(c) for c in choices], randomness=rand)


def tracker(ballot: dict[str, Any]) -> str:
    """The voter's receipt: the hash of the whole ballot. It names no one."""
    return sha256_hex(canon(ballot))


def verify_ballot(manifest: dict[str, Any], ballot: Any, fp: str | None = None) -> str | None:
    """None if the ballot is well formed with valid proofs and signature; else why not."""
    fp = fp or fingerprint(manifest)
    if not isinstance(ballot, dict) or set(ballot) != {"election", "credential", "answers", "signature"}:
        return "malformed ballot"
    if ballot["election"] != fp:
        return "ballot is for another election"
    try:
        pk = public_point(manifest["public_key"])
    except Invalid:
        return "the election's public key is not a key"
    try:
        cred_pt = public_point(ballot["credential"])
    except Invalid as e:
        return f"not a public credential ({e})"
    cred = ballot["credential"]
    answers = ballot["answers"]
    questions = manifest["questions"]
    if not isinstance(answers, list) or len(answers) != len(questions):
        return "wrong number of answers"
    if not schnorr_verify(
        cred_pt, ballot["signature"], "concerted/ballot-signature", [fp, cred, sha256_hex(canon(answers))]
    ):
        return "bad credential signature"
    for qi, (q, ans) in enumerate(zip(questions, answers, strict=True)):
        if not isinstance(ans, dict) or set(ans) != {"choices", "sum_proof"}:
            return "malformed answer"
        cts = ans["choices"]
        if not isinstance(cts, list) or len(cts) != len(q["options"]):
            return "wrong number of choices"
        sum_a, sum_b = IDENTITY, IDENTITY
        for oi, ct in enumerate(cts):
            if not isinstance(ct, dict) or set(ct) != {"alpha", "beta", "proof"}:
                return "malformed ciphertext"
            try:
                a, b = point(ct["alpha"]), point(ct["beta"])
            except Invalid:
                return "malformed ciphertext"
            if not verify_member(pk, a, b, (0, 1), ct["proof"], _member_ctx(fp, cred, qi, oi)):
                return f"bad 0/1 proof (question {qi + 1}, option {oi + 1})"
            sum_a, sum_b = add(sum_a, a), add(sum_b, b)
        if not verify_member(pk, sum_a, sum_b, question_values(q), ans["sum_proof"], _member_ctx(fp, cred, qi, "sum")):
            return f"bad proof on the number of choices (question {qi + 1})"
    return None


def audit_spoiled(manifest: dict[str, Any], ballot: dict[str, Any], revealed: Secrets) -> bool:
    """Benaloh check: the spoiled ballot's ciphertexts are exactly these choices under this randomness."""
    pk = public_point(manifest["public_key"])
    for ans, picks, rs in zip(ballot["answers"], revealed.choices, revealed.randomness, strict=True):
        for ct, m, r in zip(ans["choices"], picks, rs, strict=True):
            a, b = encrypt(pk, m, scalar(r))
            if (hx(a), hx(b)) != (ct["alpha"], ct["beta"]):
                return False
    return True


# --- trustees: Feldman VSS by each trustee, summed ------------------------------


def poly_eval(coeffs: Sequence[int], x: int) -> int:
    acc = 0
    for a in reversed(coeffs):
        acc = (acc * x + a) % L
    return acc


def deal(election_id: str, index: int, t: int, n: int) -> tuple[list[int], dict[str, Any], dict[int, int]]:
    """Trustee `index` picks a degree t-1 polynomial; returns (coefficients, public part, shares by recipient)."""
    coeffs = [random_scalar() for _ in range(t)]
    public = {
        "index": index,
        "commitments": [hx(base(a)) for a in coeffs],
        "pok": schnorr_sign(coeffs[0], "concerted/trustee-pok", [election_id, str(index)]),
    }
    shares = {j: poly_eval(coeffs, j) for j in range(1, n + 1)}
    return coeffs, public, shares


def commitment_eval(commitments: Sequence[bytes], j: int) -> bytes:
    """Σ_k C_k·j^k: the public image of the share f(j)."""
    acc = IDENTITY
    for k, c in enumerate(commitments):
        acc = add(acc, mul(pow(j, k, L), c))
    return acc


def check_share(public: dict[str, Any], j: int, share: int) -> bool:
    commitments = [public_point(c) for c in public["commitments"]]
    return base(share) == commitment_eval(commitments, j)


def verify_dealer(election_id: str, public: dict[str, Any], t: int) -> bool:
    try:
        # Each commitment is a public key (coefficient·G): the identity would be a
        # coefficient 0 everyone knows (a constant term 0 adds nothing to the election key).
        commitments = [public_point(c) for c in public["commitments"]]
    except (Invalid, KeyError, TypeError):
        return False
    if len(commitments) != t:
        return False
    return schnorr_verify(commitments[0], public["pok"], "concerted/trustee-pok", [election_id, str(public["index"])])


def joint_public_key(dealers: Iterable[dict[str, Any]]) -> bytes:
    acc = IDENTITY
    for d in dealers:
        acc = add(acc, point(d["commitments"][0]))
    return acc


def verification_key(dealers: Sequence[dict[str, Any]], j: int) -> bytes:
    """X_j = x_j·G, computable by anyone from the dealers' commitments."""
    acc = IDENTITY
    for d in dealers:
        acc = add(acc, commitment_eval([point(c) for c in d["commitments"]], j))
    return acc


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, int]:
    out = {}
    for i in indices:
        num, den = 1, 1
        for j in indices:
            if j != i:
                num = num * j % L
                den = den * (j - i) % L
        out[i] = num * pow(den, -1, L) % L
    return out


def partial_decrypt(fp: str, index: int, x: int, alphas: Sequence[bytes]) -> list[dict[str, Any]]:
    xpub = base(x)
    out = []
    for a in alphas:
        d = mul(x, a)
        out.append({"d": hx(d), "proof": prove_dleq(x, b"", a, xpub, d, [fp, str(index)])})
    return out


def verify_partial(fp: str, index: int, xpub: bytes, alpha: bytes, share: Any) -> bool:
    try:
        d = point(share["d"])
    except (Invalid, KeyError, TypeError):
        return False
    return verify_dleq(b"", alpha, xpub, d, share["proof"], [fp, str(index)])


def homomorphic_sums(manifest: dict[str, Any], ballots: Iterable[dict[str, Any]]) -> list[list[tuple[bytes, bytes]]]:
    sums = [[(IDENTITY, IDENTITY) for _ in q["options"]] for q in manifest["questions"]]
    for b in ballots:
        for qi, ans in enumerate(b["answers"]):
            for oi, ct in enumerate(ans["choices"]):
                sa, sb = sums[qi][oi]
                sums[qi][oi] = (add(sa, bytes.fromhex(ct["alpha"])), add(sb, bytes.fromhex(ct["beta"])))
    return sums


def combine(beta: bytes, partials: dict[int, bytes]) -> bytes:
    """T·G from β and t partial decryptions x_i·α (Lagrange in the exponent)."""
    lam = lagrange_at_zero(sorted(partials))
    acc = beta
    for i, d in partials.items():
        acc = sub(acc, mul(lam[i], d))
    return acc


def decrypt_counts(
    manifest: dict[str, Any], sums: list[list[tuple[bytes, bytes]]], partials: dict[int, Any], limit: int
) -> list[list[int]]:
    """The counts, from the sums and t trustees' partial decryptions (run by whoever tallies)."""
    table: dict[bytes, int] = {}
    acc = IDENTITY
    for k in range(limit + 1):
        table[acc] = k
        acc = add(acc, small(1))
    out = []
    for qi, q in enumerate(manifest["questions"]):
        row = []
        for oi in range(len(q["options"])):
            ds = {i: point(shares[qi][oi]["d"]) for i, shares in partials.items()}
            m = combine(sums[qi][oi][1], ds)
            if m not in table:
                raise Invalid("the partial decryptions do not give a count of ballots")
            row.append(table[m])
        out.append(row)
    return out


def discrete_log(target: bytes, limit: int) -> int:
    acc = IDENTITY
    g = small(1)
    for k in range(limit + 1):
        if acc == target:
            return k
        acc = add(acc, g)
    raise Invalid("the tally is not a count of ballots")


# --- the bulletin board -------------------------------------------------------


def batch_hash(prev: str, day: str, ballots: list[dict[str, Any]], final: bool) -> str:
    return sha256_hex(canon({"prev": prev, "day": day, "trackers": [tracker(b) for b in ballots], "final": final}))


def closing_hash(prev: str, credentials: list[str], revoked: list[str], excluded: list[dict[str, str]]) -> str:
    return sha256_hex(canon({"prev": prev, "credentials": credentials, "revoked": revoked, "excluded": excluded}))


@dataclass
class Report:
    ok: bool
    steps: list[tuple[str, bool, str]]
    result: list[list[int]] | None = None
    # Whether the motion passed by the manifest's rule; None when the board is not
    # tallied or its manifest states no rule (see `pass_share`).
    passed: bool | None = None
    # What passed but a member should know (printed as WARN): e.g. a manifest made before
    # manifests stated the minimum of counted ballots.
    warnings: list[str] = field(default_factory=list)

    def failed_step(self) -> str | None:
        for name, ok, why in self.steps:
            if not ok:
                return f"{name}: {why}"
        return None


class _Fail(Exception):
    def __init__(self, step: str, why: str) -> None:
        super().__init__(f"{step}: {why}")
        self.step, self.why = step, why


def verify_board(board: Any) -> Report:
    """Recompute everything from the board alone. Each step either passes or says why not."""
    steps: list[tuple[str, bool, str]] = []
    warnings: list[str] = []
    result = None

    def ok(step: str, detail: str) -> None:
        steps.append((step, True, detail))

    try:
        if not isinstance(board, dict) or board.get("format") != FORMAT:
            raise _Fail("format", "not a Concerted election board")
        manifest = board["manifest"]
        fp = fingerprint(manifest)
        t, n = int(manifest["threshold"]), len(manifest["trustees"])
        if not 1 <= t <= n:
            raise _Fail("trustees", "bad threshold")
        for d in manifest["trustees"]:
            if not verify_dealer(manifest["id"], d, t):
                raise _Fail("trustees", f"trustee {d.get('index')}'s key proof does not verify")
        if hx(joint_public_key(manifest["trustees"])) != manifest["public_key"]:
            raise _Fail("trustees", "the public key is not the trustees' joint key")
        try:
            public_point(manifest["public_key"])
        except Invalid as e:
            raise _Fail("trustees", f"the public key is {e}: every ballot would be readable") from None
        ok("trustees", f"{n} trustees, any {t} decrypt; public key is their joint key")
        try:
            rule_text = _check_rule(manifest)
        except Invalid as e:
            raise _Fail("pass rule", str(e)) from None
        if rule_text is not None:  # older manifests carry no rule: their steps are as they were
            ok("pass rule", f"yes passes with {rule_text}")

        creds = board["credentials"]
        revoked = board.get("revoked", [])
        if len(set(creds)) != len(creds) or set(creds) & set(revoked):
            raise _Fail("credentials", "duplicate or revoked credential in the eligible list")
        for ci, cred in enumerate(creds):
            try:
                public_point(cred)
            except Invalid as e:
                # The identity would let anyone sign a ballot that counts (private key 0).
                raise _Fail("credentials", f"eligible credential {ci + 1} ({str(cred)[:12]}) is {e}") from None
        if len(creds) < int(manifest["min_electorate"]):
            raise _Fail("credentials", f"fewer than {manifest['min_electorate']} eligible voters")
        ok("credentials", f"{len(creds)} eligible, {len(revoked)} revoked")

        prev, last_day, ballots = fp, "", []
        batches = board["batches"]
        for bi, batch in enumerate(batches):
            final = bool(batch.get("final"))
            if batch["prev"] != prev or batch_hash(prev, batch["day"], batch["ballots"], final) != batch["hash"]:
                raise _Fail("hash chain", f"batch {bi + 1} does not chain to the one before")
            if batch["day"] < last_day:
                raise _Fail("hash chain", f"batch {bi + 1} is dated before the one before")
            if len(batch["ballots"]) < MIN_BATCH and not (final and bi == len(batches) - 1):
                raise _Fail("hash chain", f"batch {bi + 1} has fewer than {MIN_BATCH} ballots")
            trackers = [tracker(b) for b in batch["ballots"]]
            if trackers != sorted(trackers):
                raise _Fail("hash chain", f"batch {bi + 1} is not in tracker order (it could show arrival order)")
            prev, last_day = batch["hash"], batch["day"]
            ballots.extend(batch["ballots"])
        ok("hash chain", f"{len(batches)} batches chain from the election fingerprint")

        seen_trackers: set[str] = set()
        seen_alphas: set[str] = set()
        allowed = set(creds) | set(revoked)
        for b in ballots:
            tr = tracker(b)
            if tr in seen_trackers:
                raise _Fail("ballots", f"ballot {tr[:12]} appears twice")
            seen_trackers.add(tr)
            why = verify_ballot(manifest, b, fp)
            if why:
                raise _Fail("ballots", f"ballot {tr[:12]}: {why}")
            if b["credential"] not in allowed:
                raise _Fail("ballots", f"ballot {tr[:12]} uses a credential that is not eligible")
            for ans in b["answers"]:
                for ct in ans["choices"]:
                    if ct["alpha"] in seen_alphas:
                        raise _Fail("ballots", f"ballot {tr[:12]} copies a ciphertext of another ballot")
                    seen_alphas.add(ct["alpha"])
        ok("ballots", f"{len(ballots)} ballots: proofs and credential signatures verify")

        closing = board.get("closing")
        if closing is None:
            ok("closing", "the election is still open: nothing is counted yet")
            return Report(True, steps)
        if closing["prev"] != prev or closing_hash(prev, creds, revoked, closing["excluded"]) != closing["hash"]:
            raise _Fail("closing", "the closing record does not chain to the last batch")
        excluded = {e["tracker"]: e["reason"] for e in closing["excluded"]}
        by_tracker = {tracker(b): b for b in ballots}
        counted: dict[str, str] = {}
        for tr, b in by_tracker.items():
            cred = b["credential"]
            if tr in excluded:
                continue
            if cred in revoked:
                raise _Fail("one ballot per credential", f"ballot {tr[:12]} of a revoked credential is counted")
            if cred in counted:
                raise _Fail("one ballot per credential", f"two ballots counted for one credential ({tr[:12]})")
            counted[cred] = tr
        for tr, reason in excluded.items():
            if tr not in by_tracker:
                raise _Fail("one ballot per credential", f"excluded ballot {tr[:12]} is not on the board")
            cred = by_tracker[tr]["credential"]
            if reason == "replaced" and cred not in counted:
                raise _Fail("one ballot per credential", f"ballot {tr[:12]} is marked replaced but nothing replaced it")
            if reason == "revoked" and cred not in revoked:
                raise _Fail(
                    "one ballot per credential", f"ballot {tr[:12]} is marked revoked but its credential is not"
                )
            if reason not in ("replaced", "revoked"):
                raise _Fail("one ballot per credential", "unknown reason for leaving a ballot out")
        ok(
            "one ballot per credential",
            f"{len(counted)} ballots counted, {len(excluded)} left out (replaced or revoked)",
        )

        tally = board.get("tally")
        _check_enough(manifest, len(counted), tally is not None, ok, warnings)
        if tally is None:
            ok("tally", "not tallied yet")
            return Report(True, steps, warnings=warnings)
        sums = homomorphic_sums(manifest, (by_tracker[tr] for tr in counted.values()))
        dealers = manifest["trustees"]
        partials = {int(p["trustee"]): p["shares"] for p in tally["partials"]}
        if len(partials) < t:
            raise _Fail("partial decryptions", f"only {len(partials)} of the {t} trustees needed")
        xpubs = {i: verification_key(dealers, i) for i in partials if 1 <= i <= n}
        result = []
        for qi, q in enumerate(manifest["questions"]):
            row = []
            for oi in range(len(q["options"])):
                a, b = sums[qi][oi]
                ds = {}
                for i, shares in partials.items():
                    if not 1 <= i <= n:
                        raise _Fail("partial decryptions", f"no trustee {i}")
                    share = shares[qi][oi]
                    if not verify_partial(fp, i, xpubs[i], a, share):
                        raise _Fail(
                            "partial decryptions",
                            f"trustee {i}'s share for question {qi + 1} option {oi + 1} does not verify",
                        )
                    ds[i] = bytes.fromhex(share["d"])
                claimed = int(tally["result"][qi][oi])
                if not 0 <= claimed <= len(counted) or combine(b, ds) != small(claimed):
                    raise _Fail(
                        "tally",
                        f"question {qi + 1} option {oi + 1}: the published count is not what the ballots add up to",
                    )
                row.append(claimed)
            result.append(row)
        ok("partial decryptions", f"{len(partials)} trustees' shares verify")
        ok("tally", "the published result is the decryption of the sum of the counted ballots")
        passed = _check_outcome(manifest, tally, result)
        if passed is not None:
            yes, no = result[0]
            ok("outcome", f"{'passed' if passed else 'not passed'}: {_share_of_yes(yes, no)}")
    except _Fail as f:
        steps.append((f.step, False, f.why))
        return Report(False, steps, warnings=warnings)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        steps.append(("format", False, f"malformed board ({type(e).__name__}: {e})"))
        return Report(False, steps, warnings=warnings)
    return Report(True, steps, result, passed, warnings)


def _check_enough(
    manifest: dict[str, Any], counted: int, tallied: bool, ok: Callable[[str, str], None], warnings: list[str]
) -> None:
    """An exact tally of very few ballots tells how each of them voted (1 ballot: that
    voter's choice), so a manifest states the fewest counted ballots the trustees may
    decrypt ("min_counted"), and a published tally of fewer fails. The minimum is on the
    ballots, not on each option: 0 or 1 vote for an option is normal, and a unanimous
    result reveals every voter's choice in any election."""
    if "min_counted" not in manifest:
        if tallied:  # made before manifests carried the minimum: verified as before
            warnings.append(
                f"this election's manifest states no minimum of counted ballots (it was opened before manifests "
                f"carried one); {counted} were counted: an exact count of fewer than {MIN_COUNTED} can show how "
                f"each of them voted"
            )
        return
    minimum = manifest["min_counted"]
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < MIN_COUNTED:
        raise _Fail(
            "enough ballots",
            f"the manifest's minimum of counted ballots ({minimum!r}) is not a whole number of at least {MIN_COUNTED}",
        )
    if counted >= minimum:
        ok("enough ballots", f"{counted} ballots counted, at least the {minimum} a secret count needs")
    elif tallied:
        raise _Fail(
            "enough ballots",
            f"the tally is published with {counted} counted ballot{'' if counted == 1 else 's'}, fewer than the "
            f"manifest's minimum of "
            f"{minimum}: an exact count of so few shows how they voted",
        )
    else:
        ok("enough ballots", f"only {counted} counted, fewer than {minimum}: the trustees will not decrypt it")
        warnings.append(
            f"only {counted} ballots were counted, fewer than the {minimum} this election needs: it can't be "
            "counted secretly, and the committee should run the vote again"
        )


@dataclass
class Whereabouts:
    """Where a member's ballot is on a board: `status` is "counted", "replaced" or
    "revoked" (after the close), "open" (on the board, voting not closed yet) or
    "absent"; `batch` counts from 1."""

    tracker: str
    status: str
    batch: int | None = None
    day: str = ""


def locate(board: dict[str, Any], wanted: Sequence[str]) -> list[Whereabouts]:
    """Find trackers among the board's ballots. Each ballot's tracker is recomputed from
    the ballot itself (the hash of it), never read from a list the server wrote: a tracker
    found here is a ballot the verifier checks and counts. Meaningful for a board that
    verifies (`verify_board`)."""
    where: dict[str, tuple[int, str]] = {}
    for bi, batch in enumerate(board["batches"]):
        for b in batch["ballots"]:
            where.setdefault(tracker(b), (bi + 1, str(batch["day"])))
    closing = board.get("closing")
    left_out = {e["tracker"]: e["reason"] for e in closing["excluded"]} if closing else {}
    out = []
    for tr in wanted:
        if tr not in where:
            out.append(Whereabouts(tr, "absent"))
            continue
        batch_no, day = where[tr]
        status = "open" if closing is None else left_out.get(tr, "counted")
        out.append(Whereabouts(tr, status, batch_no, day))
    return out


def _share_of_yes(yes: int, no: int) -> str:
    cast = yes + no
    if not cast:
        return "no votes were cast"
    return f"{yes} of the {cast} votes cast are yes ({yes}/{cast})"


def _check_outcome(manifest: dict[str, Any], tally: dict[str, Any], result: list[list[int]]) -> bool | None:
    """The outcome the manifest's rule gives for the verified counts, checked against the
    one the board publishes (`tally["passed"]`, which the board page shows)."""
    rule = manifest.get("pass_rule")
    if rule is None:
        if "passed" in tally:
            raise _Fail(
                "outcome", "the board publishes an outcome, but its manifest states no pass rule to check it by"
            )
        return None
    yes, no = result[0]
    passed = passes(rule, yes, no)
    if "passed" not in tally:
        raise _Fail("outcome", "the manifest states a pass rule, but the board publishes no outcome")
    if tally["passed"] is not passed:
        claim = tally["passed"]
        said = "passed" if claim is True else "not passed" if claim is False else f"{claim!r}"
        raise _Fail(
            "outcome",
            f"the board says {said}, but {_share_of_yes(yes, no)} and the rule is {describe_rule(rule)}: "
            f"{'passed' if passed else 'not passed'}",
        )
    return passed

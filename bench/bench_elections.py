"""Election benchmark (issue 18): ballots of a yes/no question plus choose-up-to-3-of-8.

    .venv/bin/python bench/bench_elections.py [--ballots 10000] [--int-ballots 200] [--workers 2]

Ristretto255 side (concerted/elections/evcrypto.py, libsodium through rbcl): encrypt
N ballots with every proof (0/1 per option, the sum proofs, the credential
signature), then verify them all and tally (homomorphic sum, 2 trustees' partial
decryptions with proofs, combination). Encryption is what N phones do, spread over
the worker processes here; "verify + tally" is what the server, every trustee and
every member running `concerted verify-election` does.

Baseline in the same run: the same scheme (same proofs, same shape) in a 2048-bit
integer group with a 256-bit prime-order subgroup, Helios-style, with gmpy2. It is
run on a sample (--int-ballots) and scaled to N, since it is 10-20x slower.

Each side prints its count of group operations (exponentiations / scalar
multiplications, and multiplications / point additions). Goal (docs/PERFORMANCE.md):
verify + tally of 10,000 ballots under 10 s on the 2-core machine."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gmpy2  # noqa: E402

from concerted.elections import evcrypto as ev  # noqa: E402

YES_NO = {"text": "Authorize a strike?", "options": ["Yes", "No"], "min": 1, "max": 1}
SEATS = {"text": "Bargaining committee", "options": [f"Candidate {i}" for i in range(1, 9)], "min": 0, "max": 3}
QUESTIONS = [YES_NO, SEATS]


def random_choices(rng: random.Random) -> list[list[int]]:
    yes = rng.random() < 0.6
    picks = set(rng.sample(range(8), rng.randint(0, 3)))
    return [[1, 0] if yes else [0, 1], [1 if i in picks else 0 for i in range(8)]]


# --- ristretto255 -------------------------------------------------------------------

_MANIFEST: dict = {}


def _init(manifest: dict) -> None:
    _MANIFEST.clear()
    _MANIFEST.update(manifest)


def _encrypt_chunk(args: tuple[list[str], int]) -> tuple[list[dict], Counter]:
    codes, seed = args
    rng = random.Random(seed)
    ev.OPS.clear()
    cpu = time.process_time()
    out = [ev.encrypt_ballot(_MANIFEST, code, random_choices(rng))[0] for code in codes]
    ops = Counter(ev.OPS)
    ops["cpu_s"] = time.process_time() - cpu
    return out, ops


def _verify_chunk(ballots: list[dict]) -> tuple[int, Counter]:
    ev.OPS.clear()
    cpu = time.process_time()
    fp = ev.fingerprint(_MANIFEST)
    bad = sum(1 for b in ballots if ev.verify_ballot(_MANIFEST, b, fp) is not None)
    ops = Counter(ev.OPS)
    ops["cpu_s"] = time.process_time() - cpu
    return bad, ops


def chunks(items: list, n: int) -> list[list]:
    size = max(1, (len(items) + n - 1) // n)
    return [items[i : i + size] for i in range(0, len(items), size)]


def ristretto_side(n: int, workers: int) -> dict:
    t, trustees = 2, 3
    dealt = [ev.deal("bench", i, t, trustees) for i in range(1, trustees + 1)]
    dealers = [d[1] for d in dealt]
    shares = {j: sum(d[2][j] for d in dealt) % ev.L for j in range(1, trustees + 1)}
    manifest = {
        "id": "bench",
        "title": "bench",
        "questions": QUESTIONS,
        "threshold": t,
        "trustees": dealers,
        "public_key": ev.hx(ev.joint_public_key(dealers)),
        "min_electorate": 10,
    }
    codes = [ev.new_credential_code() for _ in range(n)]
    _init(manifest)
    with Pool(workers, initializer=_init, initargs=(manifest,)) as pool:
        t0 = time.perf_counter()
        parts = pool.map(_encrypt_chunk, [(c, i) for i, c in enumerate(chunks(codes, workers * 8))])
        enc_s = time.perf_counter() - t0
        ballots = [b for part, _ in parts for b in part]
        enc_ops = sum((ops for _, ops in parts), Counter())
        t0 = time.perf_counter()
        verified = pool.map(_verify_chunk, chunks(ballots, workers * 8))
        verify_s = time.perf_counter() - t0
    bad = sum(b for b, _ in verified)
    verify_ops = sum((ops for _, ops in verified), Counter())
    ev.OPS.clear()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    sums = ev.homomorphic_sums(manifest, ballots)
    fp = ev.fingerprint(manifest)
    partials = {j: [ev.partial_decrypt(fp, j, shares[j], [a for a, _ in row]) for row in sums] for j in (1, 2)}
    xpubs = {j: ev.verification_key(dealers, j) for j in (1, 2)}
    assert all(
        ev.verify_partial(fp, j, xpubs[j], sums[qi][oi][0], partials[j][qi][oi])
        for j in (1, 2)
        for qi, row in enumerate(sums)
        for oi in range(len(row))
    )
    result = ev.decrypt_counts(manifest, sums, partials, n)
    tally_s = time.perf_counter() - t0
    tally_cpu = time.process_time() - cpu0
    enc_cpu, verify_cpu = enc_ops.pop("cpu_s"), verify_ops.pop("cpu_s")
    return {
        "ballots": n,
        "encrypt_cpu_s": enc_cpu,
        "verify_cpu_s": verify_cpu,
        "tally_cpu_s": tally_cpu,
        "verify_tally_cpu_s": verify_cpu + tally_cpu,
        "invalid": bad,
        "encrypt_s": enc_s,
        "verify_s": verify_s,
        "tally_s": tally_s,
        "verify_tally_s": verify_s + tally_s,
        "ops_per_ballot_encrypt": {k: v / n for k, v in enc_ops.items()},
        "ops_per_ballot_verify": {k: v / n for k, v in verify_ops.items()},
        "ops_tally": dict(ev.OPS),
        "result": result,
    }


# --- 2048-bit integer group, Helios-style ------------------------------------------


class IntGroup:
    """Schnorr group: p 2048-bit prime, q 256-bit prime dividing p-1, g of order q."""

    def __init__(self, seed: int = 18) -> None:
        rng = random.Random(seed)
        while True:
            q = gmpy2.next_prime(gmpy2.mpz(rng.getrandbits(256)) | (1 << 255))
            if q.bit_length() == 256:
                break
        while True:
            k = gmpy2.mpz(rng.getrandbits(2048 - 256)) | (1 << (2048 - 256 - 1))
            p = k * q + 1
            if p.bit_length() == 2048 and gmpy2.is_prime(p, 30):
                break
        h = gmpy2.mpz(2)
        while True:
            g = gmpy2.powmod(h, (p - 1) // q, p)
            if g != 1:
                break
            h += 1
        self.p, self.q, self.g = p, q, g
        assert gmpy2.powmod(g, q, p) == 1
        self.ops: Counter = Counter()

    def exp(self, b, e):
        self.ops["exp"] += 1
        return gmpy2.powmod(b, e, self.p)

    def mul(self, a, b):
        self.ops["mul"] += 1
        return a * b % self.p

    def inv(self, a):
        self.ops["inv"] += 1
        return gmpy2.invert(a, self.p)

    def rand(self):
        return gmpy2.mpz(random.SystemRandom().randrange(1, int(self.q)))

    def h(self, *parts) -> gmpy2.mpz:
        d = hashlib.sha512()
        for part in parts:
            raw = str(part).encode() if not isinstance(part, bytes) else part
            d.update(len(raw).to_bytes(4, "big") + raw)
        return gmpy2.mpz(int.from_bytes(d.digest(), "little")) % self.q


def int_prove(G: IntGroup, pk, a, b, r, m, values, ctx):
    q, g = G.q, G.g
    w = G.rand()
    commits, sims = [], {}
    for v in values:
        if v == m:
            commits += [G.exp(g, w), G.exp(pk, w)]
        else:
            c, z = G.rand(), G.rand()
            sims[v] = (c, z)
            bv = G.mul(b, G.inv(G.exp(g, v))) if v else b
            commits += [G.mul(G.exp(g, z), G.inv(G.exp(a, c))), G.mul(G.exp(pk, z), G.inv(G.exp(bv, c)))]
    c_all = G.h(*ctx, pk, a, b, *commits)
    c_real = (c_all - sum(c for c, _ in sims.values())) % q
    return [sims[v] if v != m else (c_real, (w + c_real * r) % q) for v in values]


def int_verify(G: IntGroup, pk, a, b, values, proof, ctx) -> bool:
    g = G.g
    commits, c_sum = [], 0
    for v, (c, z) in zip(values, proof, strict=True):
        c_sum += c
        bv = G.mul(b, G.inv(G.exp(g, v))) if v else b
        commits += [G.mul(G.exp(g, z), G.inv(G.exp(a, c))), G.mul(G.exp(pk, z), G.inv(G.exp(bv, c)))]
    return c_sum % G.q == G.h(*ctx, pk, a, b, *commits)


def int_ballot(G: IntGroup, pk, x, choices):
    cred = G.exp(G.g, x)
    answers = []
    for qi, (q, picks) in enumerate(zip(QUESTIONS, choices, strict=True)):
        cts, sa, sb, sr = [], gmpy2.mpz(1), gmpy2.mpz(1), 0
        for oi, m in enumerate(picks):
            r = G.rand()
            a = G.exp(G.g, r)
            b = G.mul(G.exp(pk, r), G.g) if m else G.exp(pk, r)
            cts.append((a, b, int_prove(G, pk, a, b, r, m, (0, 1), ("bench", cred, qi, oi))))
            sa, sb, sr = G.mul(sa, a), G.mul(sb, b), (sr + r) % G.q
        values = list(range(q["min"], q["max"] + 1))
        answers.append((cts, int_prove(G, pk, sa, sb, sr, sum(picks), values, ("bench", cred, qi, "sum"))))
    k = G.rand()
    c = G.h("sig", cred, G.exp(G.g, k), repr(answers)[:64])
    return cred, answers, (c, (k + c * x) % G.q, G.exp(G.g, k))


def int_verify_ballot(G: IntGroup, pk, ballot) -> bool:
    cred, answers, (c, z, big_r) = ballot
    if G.mul(G.exp(G.g, z), G.inv(G.exp(cred, c))) != big_r:
        return False
    for qi, (q, (cts, sum_proof)) in enumerate(zip(QUESTIONS, answers, strict=True)):
        sa, sb = gmpy2.mpz(1), gmpy2.mpz(1)
        for oi, (a, b, proof) in enumerate(cts):
            if not int_verify(G, pk, a, b, (0, 1), proof, ("bench", cred, qi, oi)):
                return False
            sa, sb = G.mul(sa, a), G.mul(sb, b)
        if not int_verify(G, pk, sa, sb, list(range(q["min"], q["max"] + 1)), sum_proof, ("bench", cred, qi, "sum")):
            return False
    return True


def integer_side(n: int, scale_to: int) -> dict:
    t0 = time.perf_counter()
    G = IntGroup()
    setup_s = time.perf_counter() - t0
    sk = G.rand()
    pk = G.exp(G.g, sk)
    rng = random.Random(1)
    G.ops.clear()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    ballots = [int_ballot(G, pk, G.rand(), random_choices(rng)) for _ in range(n)]
    enc_s = time.perf_counter() - t0
    enc_cpu = time.process_time() - cpu0
    enc_ops = Counter(G.ops)
    G.ops.clear()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    assert all(int_verify_ballot(G, pk, b) for b in ballots)
    verify_s = time.perf_counter() - t0
    verify_cpu = time.process_time() - cpu0
    verify_ops = Counter(G.ops)
    # Tally: products per option, then one decryption (with its proof) per option and trustee (2).
    G.ops.clear()
    t0 = time.perf_counter()
    for qi, q in enumerate(QUESTIONS):
        for oi in range(len(q["options"])):
            a = b = gmpy2.mpz(1)
            for _cred, answers, _sig in ballots:
                ct = answers[qi][0][oi]
                a, b = G.mul(a, ct[0]), G.mul(b, ct[1])
            for _trustee in range(2):
                d = G.exp(a, sk)
                w = G.rand()
                c = G.h(a, d, G.exp(G.g, w), G.exp(a, w))
                z = (w + c * sk) % G.q
                check = G.h(a, d, G.mul(G.exp(G.g, z), G.inv(G.exp(pk, c))), G.mul(G.exp(a, z), G.inv(G.exp(d, c))))
                assert check == c
    tally_s = time.perf_counter() - t0
    scale = scale_to / n
    return {
        "encrypt_cpu_s_scaled": enc_cpu * scale,
        "verify_cpu_s_scaled": verify_cpu * scale,
        "sample": n,
        "group_setup_s": setup_s,
        "encrypt_s_scaled": enc_s * scale,
        "verify_s_scaled": verify_s * scale,
        "tally_s_measured_on_sample": tally_s,
        "verify_tally_s_scaled": (verify_s + tally_s) * scale,
        "ops_per_ballot_encrypt": {k: v / n for k, v in enc_ops.items()},
        "ops_per_ballot_verify": {k: v / n for k, v in verify_ops.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--int-ballots", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(f"-- elections: {args.ballots} ballots of yes/no + choose-up-to-3-of-8, {args.workers} worker processes")
    r = ristretto_side(args.ballots, args.workers)
    assert r["invalid"] == 0
    i = integer_side(args.int_ballots, args.ballots)

    def ops(d: dict) -> str:
        return ", ".join(f"{k} {v:.0f}" for k, v in sorted(d.items()))

    rows = [
        ("encrypt with proofs (all ballots)", r["encrypt_s"], i["encrypt_s_scaled"]),
        ("verify every ballot", r["verify_s"], i["verify_s_scaled"]),
        ("tally: sum + 2 partial decryptions", r["tally_s"], i["tally_s_measured_on_sample"] * args.ballots / args.int_ballots),
        ("verify + tally", r["verify_tally_s"], i["verify_tally_s_scaled"]),
    ]
    print(f"{'wall clock':40} {'ristretto255':>14} {'2048-bit int':>14} {'ratio':>7}")
    for label, a, b in rows:
        print(f"{label:40} {a:>12.1f} s {b:>12.1f} s {b / a:>6.1f}x")
    print(f"{'CPU time (all worker processes)':40} {'ristretto255':>14} {'2048-bit int':>14} {'ratio':>7}")
    for label, a, b in [
        ("encrypt with proofs", r["encrypt_cpu_s"], i["encrypt_cpu_s_scaled"]),
        ("verify every ballot", r["verify_cpu_s"], i["verify_cpu_s_scaled"]),
    ]:
        print(f"{label:40} {a:>12.1f} s {b:>12.1f} s {b / a:>6.1f}x")
    print(f"verify + tally CPU on ristretto255: {r['verify_tally_cpu_s']:.1f} s, i.e. {r['verify_tally_cpu_s'] / args.workers:.1f} s on {args.workers} idle cores")
    print(f"group ops per ballot, encrypt: ristretto255 [{ops(r['ops_per_ballot_encrypt'])}]; integer [{ops(i['ops_per_ballot_encrypt'])}]")
    print(f"group ops per ballot, verify:  ristretto255 [{ops(r['ops_per_ballot_verify'])}]; integer [{ops(i['ops_per_ballot_verify'])}]")
    print(f"(integer side measured on {args.int_ballots} ballots and scaled to {args.ballots}; its group set-up took {i['group_setup_s']:.1f} s)")
    goal = 10.0
    verdict = "met" if r["verify_tally_s"] < goal else "NOT met"
    print(f"goal verify + tally < {goal:.0f} s: {verdict} ({r['verify_tally_s']:.1f} s); tally {r['result']}")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "elections.json").write_text(json.dumps({"ristretto255": r, "integer2048": i}, indent=1, default=str))


if __name__ == "__main__":
    main()

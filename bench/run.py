"""The benchmark: `python bench/run.py` on SQLite, under scripts/with-postgres on PostgreSQL.

Prints every figure and writes them to var/bench/<database>.json. See docs/PERFORMANCE.md
for what each figure means and the goals. Traffic goes only to 127.0.0.1."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import drills, loadgen
from bench.common import (
    PY,
    ROOT,
    Db,
    Memcached,
    Server,
    cpu_seconds,
    get,
    log,
    machine,
    pg_database_from_env,
    production_env,
    run_setup,
)

ROUNDS = 3  # slices of signing and of the bare insert per level, taking turns
GOALS = {"ratio_raw": 0.5, "p99_ms_200": 100.0, "reveal_s": 10.0, "dashboard_ms": 200.0, "page_kb": 30.0}


def raw_sqlite(directory: Path, seconds: float = 3.0, row_bytes: int = 200) -> float:
    """(a) Raw SQLite WAL commits/s, synchronous=FULL, one writer, 200-byte rows."""
    path = directory / "raw.sqlite3"
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)")
    n = 0
    payload = os.urandom(row_bytes)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        conn.execute("INSERT INTO t (payload) VALUES (?)", (payload,))  # autocommit: one commit each
        n += 1
    rate = n / (time.perf_counter() - t0)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return rate


def sealing_rates(seconds: float = 1.0) -> dict[str, float]:
    from nacl.public import PrivateKey

    from concerted.core.sealing import open_sealed, seal

    key = PrivateKey.generate()
    data = {"name": "A" * 40, "contact": "someone@example.org", "comment": "x" * 120}
    ids = {"campaign": "c", "petition": "p", "row": "r"}
    blobs = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        blobs.append(seal(key.public_key, kind="k", ids=ids, data=data))
    sealed = len(blobs) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for blob in blobs:
        open_sealed(key, blob, kind="k", ids=ids)
    opened = len(blobs) / (time.perf_counter() - t0)
    return {"seal_per_s": round(sealed), "open_per_s": round(opened)}


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run_slice(
    server: Server, slug: str | None, concurrency: int, seconds: float, limit: int, extra_pids: list[int]
) -> tuple[loadgen.Result, float]:
    cpu0 = cpu_seconds(server.pids() + extra_pids)
    result = loadgen.run(server.port, slug, concurrency, seconds, limit, tag=f"L{concurrency}")
    return result, cpu_seconds(server.pids() + extra_pids) - cpu0


def summarize(slices: list[tuple[loadgen.Result, float]]) -> dict[str, Any]:
    """One figure from several slices of the same load (interleaved with the baseline's)."""
    results = [r for r, _cpu in slices]
    seconds = sum(r.seconds for r in results)
    ok = sum(r.ok for r in results)
    post = [x for r in results for x in r.post_latencies]
    flow = [x for r in results for x in r.flow_latencies]
    kinds: dict[str, int] = {}
    for r in results:
        for kind, n in r.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    return {
        "concurrency": results[0].concurrency,
        "seconds": round(seconds, 2),
        "ok": ok,
        "errors": sum(r.errors for r in results),
        "error_kinds": kinds,
        "per_s": round(ok / seconds, 1) if seconds else 0.0,
        "post_p50_ms": ms(loadgen.percentile(post, 50)),
        "post_p99_ms": ms(loadgen.percentile(post, 99)),
        "flow_p50_ms": ms(loadgen.percentile(flow, 50)),
        "flow_p99_ms": ms(loadgen.percentile(flow, 99)),
        "generator_cores": round(sum(r.generator_cpu for r in results) / seconds, 2) if seconds else 0,
        "server_cores": round(sum(cpu for _r, cpu in slices) / seconds, 2) if seconds else 0,
        "server_ms_cpu_each": round(1000 * sum(cpu for _r, cpu in slices) / ok, 2) if ok else None,
    }


def page_bytes(server: Server, slug: str) -> dict[str, Any]:
    """Bytes a phone downloads to show the sign page: the HTML and every asset it loads."""

    async def fetch(path: str) -> tuple[int, int, bytes]:
        status, headers, body = await loadgen.request(server.port, "GET", path, {"Accept-Encoding": "identity"})
        head = sum(len(k) + len(v) + 4 for k, vs in headers.items() for v in vs) + 17
        return status, head + len(body), body

    status, html_bytes, html = loadgen.run_async(lambda: fetch(f"/p/{slug}/"))
    text = html.decode()
    styles = re.findall(r'<link[^>]*rel="(?:stylesheet|icon|preload)"[^>]*href="([^"]+)"', text)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
    images = re.findall(r'<img[^>]*src="(/[^"]+)"', text)
    assets: dict[str, int] = {}
    for path in [*styles, *images]:
        _s, n, body = loadgen.run_async(lambda p=path: fetch(p))
        assets[path] = n
        for sub in re.findall(rb"url\(['\"]?(/[^)'\"]+)", body):  # fonts or images a stylesheet pulls in
            _s2, n2, _b2 = loadgen.run_async(lambda u=sub: fetch(u.decode()))
            assets[sub.decode()] = n2
    script_bytes = 0
    for path in scripts:
        _s, n, _b = loadgen.run_async(lambda p=path: fetch(p))
        script_bytes += n
    total = html_bytes + sum(assets.values()) + script_bytes
    return {
        "status": status,
        "html_bytes": html_bytes,
        "assets": assets,
        "script_tags": len(re.findall(r"<script", text)),
        "script_bytes": script_bytes,
        "total_bytes": total,
        "total_kb": round(total / 1024, 1),
    }


def timed_gets(server: Server, path: str, cookie: str, n: int) -> dict[str, Any]:
    times = []
    size = 0
    for i in range(n + 1):
        t0 = time.perf_counter()
        status, _h, body = get(server.port, path, {"Cookie": cookie}, timeout=300)
        elapsed = time.perf_counter() - t0
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        size = len(body)
        if i:  # the first is a warm-up
            times.append(elapsed)
    times.sort()
    return {"median_ms": ms(times[len(times) // 2]), "max_ms": ms(times[-1]), "n": n, "bytes": size}


def reveal_big(server: Server, db: Db, info: dict[str, Any], outdir: Path, run_cli: bool = True) -> dict[str, Any]:
    cookie = f"sessionid={info['session']}"
    t0 = time.perf_counter()
    status, _h, body = get(server.port, f"/o/petitions/{info['big_petition_id']}/export.json", {"Cookie": cookie}, 600)
    export_s = time.perf_counter() - t0
    if status != 200:
        raise RuntimeError(f"export answered {status}")
    export_file = outdir / "export.json"
    export_file.write_bytes(body)
    download = {"export_seconds": round(export_s, 2), "export_mb": round(len(body) / 1e6, 1)}
    if not run_cli:  # reveal reads a file: the database does not matter, it runs once, on SQLite
        return {**download, "records": len(json.loads(body)["records"]), "reveal_seconds": None}
    t0 = time.perf_counter()
    result = subprocess.run(
        [
            PY,
            "-m",
            "concerted.cli",
            "reveal",
            "--key",
            info["key_file"],
            "--file",
            str(export_file),
            "--out",
            str(outdir),
        ],
        env=db.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    reveal_s = time.perf_counter() - t0
    if result.returncode != 0:
        raise RuntimeError(f"reveal failed: {result.stderr[-2000:]}")
    opened = int(re.search(r"Opened (\d+) record", result.stdout).group(1))
    phases = subprocess.run(
        [PY, str(ROOT / "bench" / "reveal_phases.py"), str(export_file), info["key_file"], "--no-pdf"],
        env=db.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    breakdown = json.loads(phases.stdout.strip().splitlines()[-1]) if phases.returncode == 0 else {}
    if breakdown:
        known = breakdown["load_json_s"] + breakdown["open_s"] + breakdown["csv_s"]
        breakdown["pdf_and_startup_s"] = round(reveal_s - known, 2)  # the PDF, plus ~1 s of Django start-up
    csv_lines = sum(1 for _ in open(next(outdir.glob("*.csv")), encoding="utf-8")) - 1
    return {
        "records": opened,
        "csv_rows": csv_lines,
        "export_seconds": round(export_s, 2),
        "export_mb": round(len(body) / 1e6, 1),
        "reveal_seconds": round(reveal_s, 2),
        "pdf": any(outdir.glob("*.pdf")),
        "phases": breakdown,
    }


def run_levels(
    server: Server,
    info: dict[str, Any],
    out: dict[str, Any],
    sign_s: int,
    bare_s: int,
    levels_of: tuple[int, ...] = (1, 50, 200),
    extra_pids: list[int] | None = None,
) -> list[Any]:
    # Warm-up, not counted: every worker has booted, imported and compiled its templates.
    loadgen.run(server.port, info["slug"], 8, 3, 200, tag="warm")
    loadgen.run(server.port, None, 8, 1, 100, tag="warm")
    levels = []
    for c in levels_of:
        seconds = sign_s if c > 1 else max(3, sign_s * 2 // 3)
        # Signing and the baseline take turns, ROUNDS slices each, so that a change in
        # the machine's other load during the level weighs on both alike.
        signs, bares = [], []
        for _ in range(ROUNDS):
            signs.append(run_slice(server, info["slug"], c, seconds / ROUNDS, 20_000 // ROUNDS, extra_pids or []))
            bares.append(run_slice(server, None, c, bare_s / ROUNDS, 40_000 // ROUNDS, extra_pids or []))
        sign, bare = summarize(signs), summarize(bares)
        level = {
            "concurrency": c,
            "sign": sign,
            "bare": bare,
            "ratio_to_raw": round(sign["per_s"] / out["raw_sqlite_commits_per_s"], 3),
            "ratio_to_bare": round(sign["per_s"] / bare["per_s"], 3) if bare["per_s"] else None,
            "p99_to_bare": round(sign["post_p99_ms"] / bare["post_p99_ms"], 2) if bare["post_p99_ms"] else None,
        }
        level["loadavg"] = Path("/proc/loadavg").read_text().split()[0]
        levels.append(level)
        log(
            f"-- c={c:>3}: {sign['per_s']:>7.1f} signatures/s  POST p50 {sign['post_p50_ms']} ms  "
            f"p99 {sign['post_p99_ms']} ms  (GET+POST p50 {sign['flow_p50_ms']} / p99 {sign['flow_p99_ms']} ms)  "
            f"errors {sign['errors']}  | bare insert {bare['per_s']:.1f}/s p99 {bare['post_p99_ms']} ms  "
            f"| ratio to (a) {level['ratio_to_raw']}, to (b) {level['ratio_to_bare']}, POST p99 / (b) p99 "
            f"{level['p99_to_bare']}  "
            f"| cores: server {sign['server_cores']}, generator {sign['generator_cores']} "
            f"| server CPU: {sign['server_ms_cpu_each']} ms a signature, {bare['server_ms_cpu_each']} ms a bare insert "
            f"| load {level['loadavg']}"
        )
    return levels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs, for trying the bench itself")
    parser.add_argument("--big", type=int, default=None, help="signatures for the dashboard and reveal (100000)")
    parser.add_argument("--skip-drills", action="store_true")
    parser.add_argument("--no-variant", action="store_true", help="skip the queued-writer SQLite variant")
    parser.add_argument(
        "--launch",
        action="store_true",
        help="only the launch-day figures: (a), 50 and 200 clients against (b), the open-loop burst",
    )
    parser.add_argument(
        "--settings",
        default="bench.settings_bench",
        help="the server's settings module (bench.settings_bench_writer: the queued-writer backend)",
    )
    args = parser.parse_args()
    vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    sign_s, bare_s = (4, 3) if args.quick else (15, 8)
    big_n = args.big or (2000 if args.quick else 100_000)
    burst_rate, burst_s = (20, 5) if args.quick else (100, 60)
    burst_n = burst_rate * burst_s
    out: dict[str, Any] = {"database": vendor, "machine": machine(), "quick": args.quick}
    log(f"== Concerted benchmark on {vendor} ({'quick' if args.quick else 'full'})")
    log("   machine: " + ", ".join(f"{k}={v}" for k, v in out["machine"].items()))

    data_dir = Path(tempfile.mkdtemp(prefix=f"concerted-bench-{vendor}."))
    db = Db(data_dir, pg_database_from_env("concerted_bench") if vendor == "postgresql" else "")
    server: Server | None = None
    memcached = Memcached()
    prod = production_env(memcached)
    out["server"] = {"gunicorn": "concerted/gunicorn_conf.py", **prod}
    log("   server: gunicorn with concerted/gunicorn_conf.py, " + ", ".join(f"{k}={v}" for k, v in prod.items()))
    try:
        out["raw_sqlite_commits_per_s"] = round(raw_sqlite(data_dir))
        out.update(sealing_rates())
        log(
            f"-- (a) raw SQLite WAL commits/s (synchronous=FULL, one writer, 200-byte rows, same disk): "
            f"{out['raw_sqlite_commits_per_s']}"
        )
        log(f"-- sealing one record: {out['seal_per_s']}/s per core; opening: {out['open_per_s']}/s")

        t0 = time.perf_counter()
        if args.launch:
            big_n = 0
        info = run_setup(db, "--bench-table", "--big", str(big_n), settings_module="bench.settings_bench")
        log(f"-- setup: {big_n} sealed signatures written in {time.perf_counter() - t0:.1f}s")
        server = Server(db, settings_module=args.settings, production_env=prod)
        server.start()
        levels_of = (50, 200) if args.launch else (1, 50, 200)
        out["load"] = run_levels(server, info, out, sign_s, bare_s, levels_of, memcached.pids())
        if vendor == "sqlite" and not args.no_variant and not args.launch:
            server.stop()
            server = Server(db, settings_module="bench.settings_bench_writer", production_env=prod)
            server.start()
            log("-- the same load with the queued-writer SQLite backend (concerted.core.sqlitedb):")
            out["load_queued_writers"] = run_levels(server, info, out, sign_s, bare_s, levels_of, memcached.pids())
            server.stop()
            server = Server(db, settings_module=args.settings, production_env=prod)
            server.start()

        burst = loadgen.burst(server.port, info["slug"], burst_n, burst_s)
        out["flyer_burst"] = {
            "signers": burst_n,
            "seconds": burst_s,
            "per_s": burst_rate,
            "ok": burst.ok,
            "errors": burst.errors,
            "error_kinds": burst.error_kinds,
            "post_p50_ms": ms(loadgen.percentile(burst.post_latencies, 50)),
            "post_p99_ms": ms(loadgen.percentile(burst.post_latencies, 99)),
            "flow_p50_ms": ms(loadgen.percentile(burst.flow_latencies, 50)),
            "flow_p99_ms": ms(loadgen.percentile(burst.flow_latencies, 99)),
        }
        fb = out["flyer_burst"]
        log(
            f"-- flyer burst (open loop): {burst_n} signers arriving at random over {burst_s} s: {fb['ok']} signed, "
            f"{fb['errors']} errors, POST p50 {fb['post_p50_ms']} ms p99 {fb['post_p99_ms']} ms "
            f"(GET+POST p50 {fb['flow_p50_ms']} / p99 {fb['flow_p99_ms']} ms)"
        )
        if args.launch:
            return finish(out, vendor, args)
        cookie = f"sessionid={info['session']}"
        out["dashboard"] = timed_gets(server, f"/o/petitions/{info['big_petition_id']}/", cookie, 15)
        out["dashboard"]["signatures"] = big_n
        log(
            f"-- organizer dashboard with {big_n} signatures: median {out['dashboard']['median_ms']} ms, "
            f"max {out['dashboard']['max_ms']} ms"
        )
        reveal_dir = data_dir / "reveal"
        reveal_dir.mkdir()
        out["reveal"] = reveal_big(server, db, info, reveal_dir, run_cli=vendor == "sqlite")
        log(
            f"-- concerted reveal on {out['reveal']['records']} sealed signatures: {out['reveal']['reveal_seconds']} s "
            "(runs on SQLite only) "
            f"(export download {out['reveal']['export_seconds']} s, {out['reveal']['export_mb']} MB; "
            f"phases {out['reveal'].get('phases')})"
        )
        shutil.rmtree(reveal_dir, ignore_errors=True)
        out["page"] = page_bytes(server, info["slug"])
        log(
            f"-- sign page: {out['page']['total_kb']} KB transferred (HTML {out['page']['html_bytes']} B + "
            f"{len(out['page']['assets'])} asset(s)); script tags {out['page']['script_tags']}, "
            f"script bytes {out['page']['script_bytes']}"
        )
        server.stop()
        server = None

        if not args.skip_drills:
            out["crash_drill"] = drills.crash_drill(
                vendor,
                seconds=6 if args.quick else 20,
                clients=8 if args.quick else 32,
                kills=1 if args.quick else 3,
            )
            log(f"-- crash drill: {json.dumps(out['crash_drill'])}")
            out["restore_drill"] = drills.restore_drill(vendor, signatures=20 if args.quick else 500, clients=16)
            log(f"-- restore drill: {json.dumps(out['restore_drill'])}")
    finally:
        if server is not None:
            server.stop()
        memcached.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    finish(out, vendor, args)


def launch_goals(out: dict[str, Any]) -> dict[str, list[Any]]:
    goals: dict[str, list[Any]] = {}
    for level in out["load"]:
        c = level["concurrency"]
        if c < 50:
            continue
        goals[f"signatures/s >= 0.5 x bare insert (b) at {c} clients"] = [
            level["ratio_to_bare"],
            (level["ratio_to_bare"] or 0) >= 0.5,
        ]
        goals[f"signing POST p99 <= 2 x (b) p99 at {c} clients"] = [
            f"{level['sign']['post_p99_ms']} ms vs {level['bare']['post_p99_ms']} ms ({level['p99_to_bare']}x)",
            (level["p99_to_bare"] or 99) <= 2,
        ]
    fb = out["flyer_burst"]
    goals[f"burst {fb['per_s']}/s for {fb['seconds']} s: POST p99 < 200 ms, no error"] = [
        f"{fb['post_p99_ms']} ms, {fb['errors']} errors of {fb['signers']}",
        fb["post_p99_ms"] < 200 and fb["errors"] == 0 and fb["ok"] == fb["signers"],
    ]
    return goals


def finish(out: dict[str, Any], vendor: str, args: argparse.Namespace) -> None:
    if args.launch:
        out["goals"] = launch_goals(out)
        log("== goals (figure, met?)")
        for name, (figure, met) in out["goals"].items():
            log(f"   {'MET   ' if met else 'MISSED'} {name}: {figure}")
        results = ROOT / "var" / "bench"
        results.mkdir(parents=True, exist_ok=True)
        (results / f"{vendor}-launch.json").write_text(json.dumps(out, indent=2) + "\n")
        log(f"   (all figures: var/bench/{vendor}-launch.json)")
        return
    last = out["load"][-1]
    out["goals"] = {
        **launch_goals(out),
        "durable signatures/s >= 0.5 x raw SQLite (c=200)": [last["ratio_to_raw"], last["ratio_to_raw"] >= 0.5],
        "p99 < 100 ms at 200 clients (signing POST)": [last["sign"]["post_p99_ms"], last["sign"]["post_p99_ms"] < 100],
        **(
            {"reveal 100k < 10 s": [out["reveal"]["reveal_seconds"], out["reveal"]["reveal_seconds"] < 10]}
            if out["reveal"]["reveal_seconds"] is not None
            else {}
        ),
        "dashboard 100k < 200 ms": [out["dashboard"]["median_ms"], out["dashboard"]["median_ms"] < 200],
        "sign page < 30 KB, no JS": [
            out["page"]["total_kb"],
            out["page"]["total_kb"] < 30 and out["page"]["script_tags"] == 0,
        ],
    }
    log("== goals (figure, met?)")
    for name, (figure, met) in out["goals"].items():
        log(f"   {'MET   ' if met else 'MISSED'} {name}: {figure}")
    results = ROOT / "var" / "bench"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{vendor}{'-quick' if args.quick else ''}.json").write_text(json.dumps(out, indent=2) + "\n")
    log(f"   (all figures: var/bench/{vendor}{'-quick' if args.quick else ''}.json)")


if __name__ == "__main__":
    main()

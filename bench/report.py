"""Markdown tables from var/bench/*.json, for docs/PERFORMANCE.md:
python bench/report.py [var/bench]"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def load_table(levels: list[dict[str, Any]], raw: float) -> list[str]:
    rows = [
        "| clients | signatures/s | POST p50 / p99 (ms) | GET+POST p50 / p99 (ms) | errors | bare insert/s "
        "| bare p99 (ms) | ÷ raw SQLite (a) | ÷ bare view (b) | server cores | generator cores |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lv in levels:
        s, b = lv["sign"], lv["bare"]
        rows.append(
            f"| {lv['concurrency']} | {s['per_s']} | {s['post_p50_ms']} / {s['post_p99_ms']} "
            f"| {s['flow_p50_ms']} / {s['flow_p99_ms']} | {s['errors']} | {b['per_s']} | {b['post_p99_ms']} "
            f"| {lv['ratio_to_raw']} | {lv['ratio_to_bare']} | {s['server_cores']} | {s['generator_cores']} |"
        )
    return rows


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench")
    for name in ("sqlite", "postgresql"):
        path = folder / f"{name}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        print(f"### {name}\n")
        print("Machine: " + ", ".join(f"{k} {v}" for k, v in r["machine"].items()) + "\n")
        print(
            f"(a) raw SQLite WAL commits/s, synchronous=FULL, same disk: **{r['raw_sqlite_commits_per_s']}**; "
            f"sealing {r['seal_per_s']}/s, opening {r['open_per_s']}/s per core.\n"
        )
        print("\n".join(load_table(r["load"], r["raw_sqlite_commits_per_s"])) + "\n")
        if r.get("load_queued_writers"):
            print("With the queued-writer SQLite backend (`concerted.core.sqlitedb`):\n")
            print("\n".join(load_table(r["load_queued_writers"], r["raw_sqlite_commits_per_s"])) + "\n")
        d, rv, pg = r["dashboard"], r["reveal"], r["page"]
        if r.get("flyer_burst"):
            fb = r["flyer_burst"]
            print(
                f"- Flyer burst (open loop): {fb['signers']} signers arriving at random over {fb['seconds']} s: "
                f"{fb['ok']} signed, {fb['errors']} errors; signing POST p50 {fb['post_p50_ms']} ms, "
                f"**p99 {fb['post_p99_ms']} ms**; GET+POST p50 {fb['flow_p50_ms']} / p99 {fb['flow_p99_ms']} ms."
            )
        print(
            f"- Organizer dashboard, {d['signatures']} signatures: median **{d['median_ms']} ms**, "
            f"max {d['max_ms']} ms ({d['n']} requests)."
        )
        if rv.get("reveal_seconds") is not None:
            print(
                f"- `concerted reveal` on {rv['records']} sealed signatures: **{rv['reveal_seconds']} s** "
                f"(phases: {rv.get('phases')})."
            )
        print(f"- Sealed export of {rv['records']} signatures: {rv['export_seconds']} s, {rv['export_mb']} MB.")
        print(
            f"- Sign page: **{pg['total_kb']} KB** (HTML {pg['html_bytes']} B, assets {pg['assets']}), "
            f"{pg['script_tags']} script tags, {pg['script_bytes']} bytes of JavaScript."
        )
        if r.get("crash_drill"):
            print(f"- Crash drill: `{json.dumps(r['crash_drill'])}`")
        if r.get("restore_drill"):
            print(f"- Restore drill: `{json.dumps(r['restore_drill'])}`")
        print()
        for goal, (figure, met) in r["goals"].items():
            print(f"- {'met' if met else '**missed**'}: {goal} — {figure}")
        print()


if __name__ == "__main__":
    main()

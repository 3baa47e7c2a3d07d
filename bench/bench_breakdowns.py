"""Group breakdown releases (concerted.core.breakdowns): what auditing one day's
breakdown against every earlier one costs as a campaign goes on.

    .venv/bin/python bench/bench_breakdowns.py [--groups 6] [--days 15 30 60 90] [--json FILE]

A drive with `--groups` groups (plus "Not given") gains 5 to 40 signatures a day, spread
unevenly over the groups, and releases one breakdown a day (what `concerted tick` does
at the day's first scheduled release). For each day count it reports the seconds the
audit of that day's breakdown took, and that as a ratio to the audit on day 1 of the
same run (the single-release rule plus a solver with nothing to compare), so the
figure reads the same on a faster machine. It runs in cron, once a day per petition or
card drive with groups; an organizer's "release now" pays it too, at most once a day.
Nothing here is timed inside the test suite."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from concerted.core.breakdowns import entry, protect


def run(groups: int, days: int, seed: int) -> list[tuple[int, float, int]]:
    """(day, seconds of that day's audit, groups shown) for every day."""
    rng = random.Random(seed)
    labels = [f"Group {i + 1}" for i in range(groups)] + ["Not given"]
    weights = [2.0**-i for i in range(groups)] + [0.5]
    counts = dict.fromkeys(labels, 0)
    history: list[dict] = []
    out = []
    for day in range(1, days + 1):
        for label in rng.choices(labels, weights, k=rng.randint(5, 40)):
            counts[label] += 1
        start = time.perf_counter()
        shown = protect(history, counts)
        out.append((day, time.perf_counter() - start, sum(v is not None for v in shown.values())))
        history.append(entry(f"2026-03-{day:02d}", sum(counts.values()), shown))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--days", type=int, nargs="+", default=[15, 30, 60, 90])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    timings = run(args.groups, max(args.days), args.seed)
    first = timings[0][1]
    shown = sum(n for _d, _s, n in timings) / (len(timings) * (args.groups + 1))
    print(f"{args.groups} groups + 'Not given', one breakdown a day; day 1's audit took {first * 1000:.0f} ms")
    print(f"{'day':>5} {'audit s':>9} {'x day 1':>9}")
    rows = []
    for day in args.days:
        seconds = timings[day - 1][1]
        rows.append({"day": day, "seconds": round(seconds, 3), "ratio": round(seconds / first, 1)})
        print(f"{day:>5} {seconds:>9.2f} {seconds / first:>9.1f}")
    print(f"groups shown, averaged over every day: {shown:.0%}")
    if args.json:
        Path(args.json).write_text(json.dumps({"groups": args.groups, "rows": rows, "shown": shown}, indent=2))


if __name__ == "__main__":
    main()

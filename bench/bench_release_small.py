""" "Release the results" on a small unit with many small groups.

    .venv/bin/python bench/bench_release_small.py [--responses 30 100 300] [--repeat 3] [--profile]
        [--before 30 100]

A large survey hides almost nothing (every group is big), so the solver audit is cheap
there (bench/bench_surveys.py). A small one is the expensive case: with three segment
questions (team of 5, site of 3, shift of 3, each with "prefer not to say": 96
combinations) most group cells hold 1..4 people, so many figures are hidden and the
audit (concerted.surveys.disclosure) solves linear and integer programs for each.

Builds a throwaway SQLite database with the same 20-question survey as
bench_surveys.py at each size, times `releases.make` (a first release; wall and CPU
seconds), then a second release after each response is given once more (so the first release
constrains the solver too). With --profile, prints the cProfile top of one first
release per size. With --before N..., also times one first release of those sizes with
the audit as it was before solutions were reused
(concerted/surveys/tests/disclosure_reference.py; minutes at 100 responses) and checks
both hide the same figures. Prints the figures; nothing is timed inside the test suite."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where one first release spends its time")
    parser.add_argument("--before", type=int, nargs="*", default=[], help="sizes to time the old audit at too")
    parser.add_argument("--first-only", action="store_true", help="skip the second release")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="concerted-bench-release-small-")
    os.environ["CONCERTED_DATA_DIR"] = tmp.name
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    out = []
    for n in args.responses:
        figures = run(n, args.repeat, args.profile, n in args.before, not args.first_only)
        report(figures)
        out.append(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    tmp.cleanup()


def build(n: int):
    """The bench_surveys.py survey with n responses, and n more (a copy of each) to add
    for the second release: every view then grows by its own size, so each view shown
    in the first release (at least k) gains at least k and the release is allowed."""
    from django.contrib.auth import get_user_model

    from bench.bench_surveys import build as build_survey
    from concerted.surveys.models import Response

    get_user_model().objects.filter(username="bench").delete()  # build() creates it again
    survey, _user = build_survey(n)
    top = max(Response.objects.values_list("id", flat=True))
    later = [(top + 1 + i, bytes(r.values)) for i, r in enumerate(Response.objects.filter(survey=survey))]
    return survey, later


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def hidden(release) -> int:
    return sum(1 for v in release.data["cells"].values() for f in v.values() for x in f.values() if x is None)


def run(n: int, repeat: int, profile: bool, before: bool, again: bool) -> dict[str, object]:
    from concerted.surveys import disclosure, releases
    from concerted.surveys.models import Release, Response
    from concerted.surveys.tests import disclosure_reference

    survey, later = build(n)

    def first() -> None:
        Release.objects.filter(survey=survey).delete()  # so each run computes a first release
        releases.make(survey)

    first_wall, first_cpu = timed(first, repeat)
    one = Release.objects.get(survey=survey)
    old: dict[str, object] = {}
    if before:
        protect = disclosure.protect
        disclosure.protect = disclosure_reference.protect
        try:
            old_wall, old_cpu = timed(first, 1)
        finally:
            disclosure.protect = protect
        again = Release.objects.get(survey=survey)
        same = (again.data["cells"], again.data["reasons"]) == (one.data["cells"], one.data["reasons"])
        old = {"before_s": old_wall, "before_cpu_s": old_cpu, "before_hidden": hidden(again), "same": same}
        first()  # the release the second one builds on, made by the current audit
        one = Release.objects.get(survey=survey)
    if profile:
        Release.objects.filter(survey=survey).delete()
        prof = cProfile.Profile()
        prof.enable()
        releases.make(survey)
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
        print(f"\n--- cProfile, first release of {n} responses (cumulative) ---")
        print(text.getvalue())

    # A second release with each response given twice (see build()).
    Response.objects.bulk_create(Response(id=i, survey=survey, values=v) for i, v in later)

    def second() -> None:
        Release.objects.filter(survey=survey, number__gt=1).delete()
        releases.make(survey)

    second_wall, second_cpu = timed(second, repeat) if again else ([], [])
    two = Release.objects.filter(survey=survey, number=2).first()
    return {
        "responses": n,
        "loadavg_1min": os.getloadavg()[0],
        "first_s": first_wall,
        "first_cpu_s": first_cpu,
        "first_hidden": hidden(one),
        "second_s": second_wall,
        "second_cpu_s": second_cpu,
        "second_hidden": None if two is None else hidden(two),
        **old,
    }


def report(f: dict) -> None:  # type: ignore[type-arg]
    def line(name: str, key: str) -> None:
        wall, cpu = f[key + "_s"], f[key + "_cpu_s"]
        print(
            f"  {name:<44} median {statistics.median(wall):8.2f} s  best {min(wall):8.2f} s  "
            f"cpu {statistics.median(cpu):8.2f} s  hidden {f[key + '_hidden']}"
        )

    print(f"\n{f['responses']} responses x 20 questions, load average {f['loadavg_1min']:.1f}")
    line("first release (releases.make)", "first")
    if "before_s" in f:
        line("first release, the audit before (one run)", "before")
        ratio = statistics.median(f["before_cpu_s"]) / statistics.median(f["first_cpu_s"])
        print(f"  {'':<44} {ratio:.1f}x less CPU now; same figures hidden: {f['same']}")
    if f["second_s"]:
        line(f"second release (+{f['responses']} responses)", "second")


if __name__ == "__main__":
    main()

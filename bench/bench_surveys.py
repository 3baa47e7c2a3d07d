"""Survey statistics benchmark: 100,000 responses x 20 questions.

    .venv/bin/python bench/bench_surveys.py [--responses 100000] [--repeat 5]

Builds a throwaway SQLite database (in a temporary folder) holding one survey with 20
questions (3 segment questions used for raking, single choice, agreement scales,
multiple choice, rankings, a number and a free-text question) and N synthetic
responses, then times:

1. release: what "Release the results" does -- load the packed answers, rake to the
   unit's make-up (weightipy), count every question in every view (everyone and each
   group), audit the whole view set with the solver (concerted.surveys.disclosure),
   compute percentages and intervals, store the release;
2. load: reading the packed answers of every response from the database;
3. the organizer's results page (read the stored release + SVG charts + template)
   through Django's test client, for everyone and for one team's view.

Targets (docs/PERFORMANCE.md, "Surveys"): page under 300 ms on the 2-core machine
(it never counts responses). Prints the figures; nothing is timed inside the test suite."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="concerted-bench-surveys-")
    os.environ["CONCERTED_DATA_DIR"] = tmp.name
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    survey, user = build(args.responses)
    figures = run(survey, user, args.repeat)
    figures["responses"] = args.responses
    figures["questions"] = len(survey.ordered_questions())
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    tmp.cleanup()


def build(n: int):
    import numpy as np
    from django.contrib.auth import get_user_model
    from nacl.public import PrivateKey

    from concerted.campaigns.models import Campaign
    from concerted.core import keys
    from concerted.surveys.models import MISSING, SCALE_LABELS, Option, Question, Response, Survey

    user = get_user_model().objects.create_user("bench", password="bench-password-0123")
    campaign = Campaign.objects.create(
        name="Bench",
        committee_name="Bench committee",
        unit_size=250_000,
        public_key=keys.format_public(PrivateKey.generate().public_key),
    )
    campaign.organizers.add(user)
    survey = Survey.objects.create(
        campaign=campaign,
        title="Bench survey",
        design=Survey.Design.PROBABILITY,
        status="published",
        one_per_invite=False,
    )
    spec: list[tuple[str, str, list[str]]] = [
        ("single", "team", [f"Team {c}" for c in "ABCDE"]),
        ("single", "site", ["North", "South", "East"]),
        ("single", "shift", ["Day", "Evening", "Night"]),
    ]
    spec += [("single", "", ["Yes", "No", "Not sure", "Other"])] * 6
    spec += [("scale", "", [str(x) for x in SCALE_LABELS])] * 4
    spec += [("multi", "", [f"Guardrail {i}" for i in range(6)])] * 3
    spec += [("rank", "", [f"Demand {i}" for i in range(4)])] * 2
    spec += [("number", "", []), ("text", "", [])]
    for position, (kind, segment, labels) in enumerate(spec):
        q = Question.objects.create(
            survey=survey, position=position, kind=kind, text=f"Question {position + 1} ({kind})", segment=segment
        )
        Option.objects.bulk_create(Option(question=q, position=i, label=lab) for i, lab in enumerate(labels))
    survey.forget_questions()
    rng = np.random.default_rng(2026)
    columns = []
    for kind, segment, labels in spec:
        k = len(labels)
        if kind in ("single", "scale"):
            p = rng.dirichlet(np.ones(k) * 3)
            col = rng.choice(k, size=n, p=p).astype(np.int32)
            if segment:
                col[rng.random(n) < 0.05] = MISSING  # "prefer not to say"
            columns.append(col[:, None])
        elif kind == "multi":
            columns.append(rng.integers(0, 2**k, size=n, dtype=np.int32)[:, None])
        elif kind == "rank":
            ranks = np.argsort(rng.random((n, k)), axis=1).astype(np.int32) + 1
            columns.append(ranks)
        elif kind == "number":
            columns.append(rng.integers(0, 40, size=n, dtype=np.int32)[:, None])
    values = np.ascontiguousarray(np.concatenate(columns, axis=1).astype("<i4"))
    skipped = rng.random(values.shape) < 0.03
    values[skipped] = MISSING
    assert values.shape[1] == survey.slot_count()
    ids = np.unique(rng.integers(1, 2**31 - 1, size=int(n * 1.05)))
    rng.shuffle(ids)
    ids = ids[:n]
    t = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        Response.objects.bulk_create(
            Response(id=int(ids[i]), survey=survey, values=values[i].tobytes())
            for i in range(start, min(n, start + batch))
        )
    print(f"inserted {n:,} responses in {time.perf_counter() - t:.1f} s (setup, not measured)", flush=True)
    seg = [q for q in survey.ordered_questions() if q.segment]
    survey.makeup = {
        "marginals": {
            str(seg[0].pk): {"0": 30, "1": 25, "2": 20, "3": 15, "4": 10},
            str(seg[1].pk): {"0": 50, "1": 30, "2": 20},
            str(seg[2].pk): {"0": 60, "1": 25, "2": 15},
        }
    }
    survey.save()
    return survey, user


CPU: dict[int, list[float]] = {}


def timed(fn, repeat: int) -> list[float]:
    """Wall-clock seconds per run; the CPU seconds of the same runs go to CPU[id(list)]."""
    out: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[id(out)] = cpu
    return out


def run(survey, user, repeat: int) -> dict[str, object]:
    from django.test import Client
    from django.urls import reverse

    from concerted.surveys import releases, results
    from concerted.surveys.models import Release

    def release() -> None:
        Release.objects.filter(survey=survey).delete()  # so each run computes a first release
        releases.make(survey)

    release_s = timed(release, max(1, min(repeat, 3)))
    res = results.compute(survey)
    assert res.weighting is not None and res.weighting.method == "raking"
    hidden = sum(1 for v in res.release.data["cells"].values() for f in v.values() for x in f.values() if x is None)
    load = timed(lambda: results.load(survey), repeat)
    client = Client()
    client.force_login(user)
    url = reverse("surveys:results", args=[survey.pk])
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    page = timed(lambda: client.get(url), repeat)
    team = next(q for q in survey.ordered_questions() if q.segment == "team")
    view = {"view": f"{team.pk}=0"}
    assert client.get(url, view).status_code == 200
    page_view = timed(lambda: client.get(url, view), repeat)
    cpu = {
        f"{name}_cpu_s": CPU[id(v)]
        for name, v in [("release", release_s), ("load", load), ("page", page), ("page_view", page_view)]
    }
    return {
        **cpu,
        "loadavg_1min": os.getloadavg()[0],
        "release_s": release_s,
        "load_s": load,
        "page_s": page,
        "page_view_s": page_view,
        "hidden_figures": hidden,
        "deff": res.weighting.deff,
        "n_eff": res.weighting.n_eff,
        "page_bytes": len(first.content),
        "cpus": os.cpu_count(),
    }


def report(f: dict) -> None:  # type: ignore[type-arg]
    def line(name: str, key: str, target: float | None) -> None:
        values, cpu = f[key + "_s"], f[key + "_cpu_s"]
        med = statistics.median(values)
        verdict = "" if target is None else ("  OK" if med < target else f"  OVER TARGET ({target * 1000:.0f} ms)")
        print(
            f"{name:<56} median {med * 1000:7.1f} ms  best {min(values) * 1000:7.1f} ms  "
            f"cpu {statistics.median(cpu) * 1000:7.1f} ms{verdict}"
        )

    print(
        f"\nSurveys: {f['responses']:,} responses x {f['questions']} questions, {f['cpus']} CPUs, "
        f"load average {f['loadavg_1min']:.1f} (other work on the machine inflates wall-clock times)"
    )
    line("release: load + count every view + solver audit + store", "release", None)
    line("load packed answers from SQLite", "load", None)
    line("results page, everyone (reads the stored release)", "page", 0.3)
    line("results page, one team's view (reads the stored release)", "page_view", 0.3)
    print(
        f"{f['hidden_figures']} figures hidden in the release; Kish design effect {f['deff']:.3f}, "
        f"effective n {f['n_eff']:,.0f}; page {f['page_bytes']:,} bytes"
    )


if __name__ == "__main__":
    main()

"""Profile the signing path in-process (Django's test client, no HTTP server): what one
GET of the sign page and one POST cost in CPU, and where. Not a timed test.

    python bench/profile_sign.py [--n 300] [--profile] [--form petition]

Builds a throwaway SQLite database with bench/setup_db.py, then drives GET + POST
through the whole middleware stack with the production settings."""

from __future__ import annotations

import argparse
import atexit
import cProfile
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Db, run_setup

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one GET and one POST")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="concerted-profile."))
    atexit.register(shutil.rmtree, data_dir, True)
    db = Db(data_dir)
    info = run_setup(db, "--bench-table", settings_module="bench.settings_bench")
    os.environ.update(db.env("bench.settings_bench"))
    os.environ["CONCERTED_RATELIMIT"] = "false"
    import django

    django.setup()
    from django.test import Client

    slug = info["slug"]

    # One client, so the middleware chain is built once, as in a server process.
    client = Client(enforce_csrf_checks=True)

    def once(i: int) -> None:
        client.cookies.clear()
        page = client.get(f"/p/{slug}/")
        assert page.status_code == 200, page.status_code
        token = TOKEN_RE.search(page.content).group(1).decode()
        done = client.post(
            f"/p/{slug}/",
            {
                "csrfmiddlewaretoken": token,
                "name": f"Profile Signer {i}",
                "contact": f"p{i}@example.org",
                "comment": "Count me in.",
                "consent_named": "on",
            },
        )
        assert done.status_code == 302, (done.status_code, done.content[:2000])

    for i in range(20):  # warm-up: templates compiled, caches filled
        once(i)
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            once(999)
        for q in ctx.captured_queries:
            print(q["sql"][:300])
    profiler = cProfile.Profile() if args.profile else None
    t0 = time.process_time()
    if profiler:
        profiler.enable()
    for i in range(args.n):
        once(1000 + i)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - t0
    print(f"{args.n} signatures (GET + POST) in-process: {cpu / args.n * 1000:.2f} ms CPU each")
    if not profiler:
        bare = Client()
        t0 = time.process_time()
        for _ in range(args.n):
            assert bare.post("/bench/bare-insert/").status_code == 200
        bare_cpu = time.process_time() - t0
        print(
            f"{args.n} bare inserts in-process: {bare_cpu / args.n * 1000:.2f} ms CPU each; "
            f"signature / bare = {cpu / bare_cpu:.2f} (the goal, 2 x, is 0.5 in throughput)"
        )
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)


if __name__ == "__main__":
    main()

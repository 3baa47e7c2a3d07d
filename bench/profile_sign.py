"""Profile the signing path in-process: what one GET of the sign page and one POST cost
in CPU, and where, against the bare insert view. Not a timed test.

    python bench/profile_sign.py [--n 500] [--profile] [--sort tottime] [--queries] [--segments]

Builds a throwaway SQLite database with bench/setup_db.py, then calls Django's WSGI
application directly, as gunicorn's workers do (no test client, whose own signal
handlers and copies would be counted), with the production settings the launch bench
uses: rate limiter on, counters in a throwaway memcached, the client address from
X-Forwarded-For, a new one per signer (bench/common.py: production_env). The POST is
urlencoded, as a browser sends it.

--segments times the named steps of the path without a profiler (whose own cost
distorts small functions several-fold): the CPU each step takes per call, nested steps
included in their callers."""

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
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Db, Memcached, production_env, run_setup
from bench.loadgen import phone_address, sign_path

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE_RE = re.compile(r"csrftoken=([^;]+)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=["get", "post", "bare"], help="profile only this request")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--dump", help="also write the profile's stats to this file (for pstats' callers)")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one GET and one POST")
    parser.add_argument("--segments", action="store_true", help="CPU per call of the main steps (SEGMENTS)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="concerted-profile."))
    atexit.register(shutil.rmtree, data_dir, True)
    db = Db(data_dir)
    info = run_setup(db, "--bench-table", settings_module="bench.settings_bench")
    memcached = Memcached()
    atexit.register(memcached.stop)
    os.environ.update(db.env("bench.settings_bench", **production_env(memcached)))
    # What gunicorn serves: Django behind concerted.core.fastpages.
    from concerted.core.testing import run_wsgi, wsgi_environ
    from concerted.wsgi import application as app

    slug = info["slug"]
    segments = time_segments() if args.segments else None

    def call(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[str, list[Any], bytes]:
        return run_wsgi(app, wsgi_environ(method, path, "", headers, body, host="127.0.0.1:8000"))

    timers = {"get": 0.0, "post": 0.0, "bare": 0.0}
    # CPU time, not wall time: the machine is shared, and waiting on the disk is not work.
    profiler = cProfile.Profile(time.process_time) if args.profile else None

    def timed(kind: str, fn: Any, *a: Any) -> Any:
        on = profiler is not None and args.only in (None, kind)
        t0 = time.process_time()
        if on:
            profiler.enable()  # type: ignore[union-attr]
        try:
            return fn(*a)
        finally:
            if on:
                profiler.disable()  # type: ignore[union-attr]
            timers[kind] += time.process_time() - t0

    def once(i: int) -> None:
        address = phone_address()
        status, headers, page = timed("get", call, "GET", sign_path(slug), {"x-forwarded-for": address})
        assert status.startswith("200"), status
        token = TOKEN_RE.search(page).group(1).decode()  # type: ignore[union-attr]
        cookie = next(m.group(1) for k, v in headers if k.lower() == "set-cookie" and (m := COOKIE_RE.search(v)))
        form = {
            "csrfmiddlewaretoken": token,
            "name": f"Profile Signer {i}",
            "contact": f"p{i}@example.org",
            "comment": "Count me in.",
            "consent_named": "on",
        }
        posted = {
            "x-forwarded-for": address,
            "cookie": f"csrftoken={cookie}",
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "same-origin",
        }
        status, _h, body = timed("post", call, "POST", sign_path(slug), posted, urlencode(form).encode())
        assert status.startswith("302"), (status, body[:2000])
        status, _h, _b = timed("bare", call, "POST", "/bench/bare-insert/", {})
        assert status.startswith("200"), status

    for i in range(30):  # warm-up: templates compiled, caches filled
        once(i)
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            once(999)
        for q in ctx.captured_queries:
            print(q["sql"][:300])
    timers = dict.fromkeys(timers, 0.0)
    for i in range(args.n):
        once(1000 + i)
    each = {k: v / args.n * 1000 for k, v in timers.items()}
    print(
        f"{args.n} signatures in-process, CPU each: GET {each['get']:.2f} ms + POST {each['post']:.2f} ms "
        f"= {each['get'] + each['post']:.2f} ms; bare insert {each['bare']:.2f} ms; "
        f"signature / bare = {(each['get'] + each['post']) / each['bare']:.2f} "
        "(throughput ratio 0.5 needs about 2, less over HTTP where every request costs the server the same)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        if args.dump:
            profiler.dump_stats(args.dump)
    if segments is not None:
        print(f"CPU per call (the {args.n} signatures and the warm-up; GET, POST and bare requests alike):")
        for name, (total, calls) in sorted(segments.items(), key=lambda kv: -kv[1][0]):
            print(f"  {name:40s} {total / calls * 1000:7.3f} ms  x {calls}")


# The steps of a request that --segments times: (module, attribute path).
SEGMENTS = [
    ("concerted.core.subjects", "by_slug"),
    ("concerted.core.pagecache", "form_page"),
    ("concerted.petitions.views.public", "SignForm"),
    ("django.forms.forms", "BaseForm.full_clean"),
    ("concerted.petitions.signing", "sign"),
    ("concerted.core.records", "ParticipantRecord.seal_data"),
    ("concerted.core.records", "insert"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
    ("django_ratelimit.core", "get_usage"),
    ("django.middleware.csrf", "CsrfViewMiddleware.process_view"),
    ("concerted.core.sentonce", "_first_answer"),
]


def time_segments() -> dict[str, list[float]]:
    """Wrap each of SEGMENTS so that it adds its CPU time and calls to the returned dict.
    Module attributes are replaced where callers look them up (a view that imported the
    function by name is patched in its own module by naming it there)."""
    import importlib

    found: dict[str, list[float]] = {}

    def wrapped(name: str, fn: Any) -> Any:
        def timer(*a: Any, **kw: Any) -> Any:
            t0 = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                entry = found.setdefault(name, [0.0, 0])
                entry[0] += time.process_time() - t0
                entry[1] += 1

        return timer

    for module_name, path in SEGMENTS:
        owner: Any = importlib.import_module(module_name)
        *parents, attr = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        setattr(owner, attr, wrapped(f"{module_name.rsplit('.', 1)[-1]}.{path}", getattr(owner, attr)))
    return found


if __name__ == "__main__":
    main()

"""gunicorn settings for every way Concerted is served (`make run`, docs/OPERATIONS.md):

    gunicorn concerted.wsgi --config python:concerted.gunicorn_conf --bind 127.0.0.1:8000

- No access log, and gunicorn's own messages go through a logger that removes client
  addresses and participant paths ("Invalid request from ip=..." otherwise names the
  client of every malformed request).
- Worker processes: one, with threads, unless the rate limiter's counters are shared
  through memcached (CONCERTED_RATELIMIT_MEMCACHED); several workers with per-process
  counters would multiply every limit, so gunicorn refuses to start that way.
- Threads: 4 per worker, as `concerted deploy` runs them. With 8, a signature's POST
  p99 was about twice as long under load and the launch burst's tail three times
  (docs/PERFORMANCE.md, "Fourth pass"), on 2 cores where the threads share one GIL
  per process.
"""

from __future__ import annotations

import os

logger_class = "concerted.core.logging.AddresslessGunicornLogger"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CONCERTED_GUNICORN_LOGLEVEL", "warning")
_shared = bool(os.environ.get("CONCERTED_RATELIMIT_MEMCACHED"))


def _count(name: str, default: int) -> int:
    """A whole number from the environment, at least 1. gunicorn's own int() error ("invalid
    literal for int()") names no variable, so the operator is told which one it is."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number, at least 1, got {raw!r}")
    return int(raw)


# (A WEB_CONCURRENCY that is no number at all never gets here: gunicorn reads it itself,
# with int(), while it loads, before this file.)
workers = _count("WEB_CONCURRENCY", 2 if _shared else 1)
threads = _count("CONCERTED_THREADS", 4)


def on_starting(server: object) -> None:
    ratelimit_on = os.environ.get("CONCERTED_RATELIMIT", "true").strip().lower() not in ("0", "false", "no", "off")
    n = server.cfg.workers  # type: ignore[attr-defined]
    if n > 1 and ratelimit_on and not _shared:
        raise SystemExit(
            f"Refusing to start {n} worker processes with per-process rate-limit counters: each would allow "
            "the full limit. Set CONCERTED_RATELIMIT_MEMCACHED=host:port, or use --workers 1 (and more --threads)."
        )

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

CSRF_MIDDLEWARE = "concerted.core.csrf.NoReferrerCsrfViewMiddleware"


@register("security", deploy=False)
def csrf_middleware_installed(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Stands in for Django's security.W003, which we silence because our CSRF
    middleware is a subclass that Django's check can't recognize by name."""
    if CSRF_MIDDLEWARE not in settings.MIDDLEWARE:
        return [Error(f"{CSRF_MIDDLEWARE} must be in MIDDLEWARE", id="concerted.E001")]
    return []


def per_process_limiter_workers(environ: dict[str, str] | None = None) -> str | None:
    """Why this server must not run several worker processes, or None: without a shared
    memcached each process counts on its own, and N workers allow N times the limit."""
    import os

    environ = os.environ if environ is None else environ
    if not settings.RATELIMIT_ENABLE or settings.RATELIMIT_MEMCACHED:
        return None
    raw = environ.get("WEB_CONCURRENCY", "").strip()  # gunicorn's default worker count
    if raw.isdigit() and int(raw) > 1:
        return (
            f"WEB_CONCURRENCY={raw} worker processes would each keep their own rate-limit counters. "
            "Set CONCERTED_RATELIMIT_MEMCACHED=host:port, or serve with one worker (more threads)."
        )
    return None


@register("security", deploy=False)
def shared_limiter(app_configs: Any, **kwargs: Any) -> list[Error]:
    problem = per_process_limiter_workers()
    return [Error(problem, id="concerted.E010")] if problem else []

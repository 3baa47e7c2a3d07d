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

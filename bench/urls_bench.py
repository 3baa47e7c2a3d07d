"""The app's URLs plus a bare Django view that inserts one row: the baseline that shows
what the framework, the server and the database cost before any of Concerted's work."""

from __future__ import annotations

import datetime
import os

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from concerted import urls as app_urls
from concerted.urls import handler400, handler403, handler404, handler500  # noqa: F401


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    # One durable transaction per request, opened the way the app's are (atomic ->
    # BEGIN IMMEDIATE on SQLite; WAL, synchronous=FULL).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_rows (payload, day) VALUES (%s, %s)", [os.urandom(200), datetime.date.today()]
        )
    return HttpResponse(b"ok", content_type="text/plain")


# The app's patterns are copied, not include()d: they are i18n_patterns, which Django
# allows only in the root URLconf. The bare view has no language prefix, so the
# language middleware finds it at once, as it finds /favicon.ico.
urlpatterns = [path("bench/bare-insert/", bare_insert), *app_urls.urlpatterns]

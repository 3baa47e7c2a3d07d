"""Bench variant: the same settings with the queued-writer SQLite backend
(concerted.core.sqlitedb), to measure what it changes against the default backend."""

from bench.settings_bench import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "concerted.core.sqlitedb"  # noqa: F405

"""Operator mistakes, said in one line with what to check, instead of a traceback.

A wrong data folder, a disk that filled up, a file the service user can't read, a
setting that refuses to load: `concerted` (concerted/cli.py) turns these known errors
into a message here, in one place, rather than a try/except in every command. Anything
else still shows its traceback, and `--traceback` shows it for these too."""

from __future__ import annotations

import errno
import os
import pwd
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _


def user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def database_name() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def no_schema() -> str:
    return _(
        "The database %(database)s has no tables: migrations never ran on it. The data folder in use is "
        "%(folder)s (CONCERTED_DATA_DIR=%(variable)s). If that is not your installation's data folder, fix "
        "CONCERTED_DATA_DIR (on a server set up by deploy, run the `concerted` command, which reads "
        "/etc/concerted/env); for a new installation, run `concerted migrate` first."
    ) % {
        "database": database_name(),
        "folder": settings.DATA_DIR,
        "variable": os.environ.get("CONCERTED_DATA_DIR", _("unset")),
    }


def require_schema() -> None:
    """Refuse to work on a database migrations never ran on (a wrong or unset
    CONCERTED_DATA_DIR gives an empty one): an empty backup every night, or a crash."""
    from django.db import connection

    if is_sqlite() and not Path(database_name()).exists():
        raise CommandError(no_schema())  # and don't create the file by looking
    if "django_migrations" not in connection.introspection.table_names():
        raise CommandError(no_schema())


def full_disk(where: str) -> str:
    return _("The disk is full where %(where)s lives: free some space (df -h %(where)s), then run this again.") % {
        "where": where
    }


def explain(exc: BaseException) -> str | None:
    """One line (or two) for a known operator error; None for anything else."""
    if isinstance(exc, ImproperlyConfigured):
        return _("The settings are wrong: %(error)s") % {"error": exc}
    if isinstance(exc, EOFError):
        return _("The command needs an answer typed at a terminal, and there is none (input ended).")
    if isinstance(exc, (sqlite3.Error, DatabaseError)):
        return explain_database(str(exc))
    if isinstance(exc, OSError):
        return explain_file(exc)
    return None


def explain_file(exc: OSError) -> str | None:
    name = exc.filename or ""
    if exc.errno == errno.ENOSPC:
        return full_disk(str(Path(name).parent) if name else str(settings.DATA_DIR))
    if exc.errno in (errno.EACCES, errno.EPERM) and name:
        return _(
            "The user %(user)s, which this command runs as, can't use %(file)s. Copy the file where it can read "
            "it, e.g. install -o %(user)s -m 600 FILE /var/backups/concerted/ and give that path (or, for the "
            "data folder, check who owns it: ls -ld %(folder)s)."
        ) % {"user": user(), "file": name, "folder": settings.DATA_DIR}
    if exc.errno == errno.EROFS:
        return _("%(file)s is on a read-only file system: remount it read-write, then run this again.") % {
            "file": name or settings.DATA_DIR
        }
    return None


def explain_database(error: str) -> str | None:
    lowered = error.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return no_schema()
    if "database or disk is full" in lowered:
        return full_disk(str(Path(database_name()).parent) if is_sqlite() else database_name())
    if "readonly database" in lowered or "unable to open database file" in lowered:
        return _(
            "The database %(database)s can't be written by the user %(user)s, which this command runs as "
            "(%(error)s). Check who owns the data folder and its files: ls -la %(folder)s"
        ) % {"database": database_name(), "user": user(), "error": error, "folder": settings.DATA_DIR}
    if "malformed" in lowered or "not a database" in lowered:
        return _("The database file %(database)s is damaged (%(error)s): restore the latest backup.") % {
            "database": database_name(),
            "error": error,
        }
    return None

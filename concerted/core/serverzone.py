"""The time zone the web server runs with, recorded where `concerted tick` can read it.

Pledge deadlines and survey days end at midnight in CONCERTED_TIME_ZONE (core/days.py
`local_today()`), and release times are read in it. The web server and the scheduled
commands read the variable each from their own environment: a server started with
America/Los_Angeles and a cron tick in UTC lapses a pledge at UTC midnight (destroying
every sealed pledge) while the page still takes pledges until Los Angeles' midnight.

So the server writes the zone it runs with into the data folder when it starts
(concerted/wsgi.py), and every command that lapses, releases or erases by the day
refuses to run in another zone (`require_same_zone`); `concerted doctor` reports the
difference too. The record names the database it was made for: the tests' database,
or a data folder whose database moved, is not held to a record made for another one.
The file holds no secret and nothing about participants: a zone name and a database
name, mode 0600 like everything else in the data folder."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

FILE_NAME = "server-zone.json"

logger = logging.getLogger(__name__)


def record_path() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def database() -> str:
    """Which database the zone is recorded for: its file (SQLite) or its name."""
    from django.db import connection

    db = connection.settings_dict
    name = str(db.get("NAME") or "")
    if db["ENGINE"].endswith("sqlite3"):
        return str(Path(name).resolve())
    return f"{db.get('HOST') or ''}:{db.get('PORT') or ''}/{name}"


def current() -> dict[str, str]:
    return {"time_zone": settings.TIME_ZONE, "database": database()}


def record() -> None:
    """Write the server's zone, atomically and private; only when it changed, since every
    worker of every app server calls this on start. A failure is logged, never fatal: a
    server that can't write its data folder has bigger problems, said elsewhere."""
    path = record_path()
    wanted = current()
    if recorded() == wanted:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(wanted, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        logger.warning("Could not record the server's time zone in %s: %s", path, exc)


def recorded() -> dict[str, str] | None:
    try:
        data = json.loads(record_path().read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("time_zone"), str):
        return None
    return data


def mismatch() -> str | None:
    """One line naming both zones and the variable, when this process's zone differs from
    the one the server recorded for this database; None when they agree or nothing is known."""
    found = recorded()
    if found is None or found.get("database") != database() or found["time_zone"] == settings.TIME_ZONE:
        return None
    return _(
        "This command runs with CONCERTED_TIME_ZONE=%(mine)s but the web server runs with %(server)s "
        "(recorded in %(file)s): pledge deadlines and release times would follow the wrong midnight. "
        "Run it with the server's settings (on a server set up by deploy, the `concerted` command reads "
        "/etc/concerted/env; from cron: set -a; . /etc/concerted/env; set +a), or restart the web server "
        "if its zone was changed."
    ) % {"mine": settings.TIME_ZONE, "server": found["time_zone"], "file": record_path()}


def require_same_zone() -> None:
    problem = mismatch()
    if problem:
        raise CommandError(problem)

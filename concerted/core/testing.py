"""Helpers for the invariant tests: read what an attacker who seizes the server reads."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection


def database_bytes() -> bytes:
    """The raw bytes at rest: the SQLite file plus its WAL and journal, or a pg_dump of
    the PostgreSQL database (data as an operator's backup would hold it)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings_dict["NAME"])
        chunks = []
        for suffix in ("", "-wal", "-journal"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                chunks.append(candidate.read_bytes())
        assert chunks, f"no database file at {path}"
        return b"".join(chunks)
    if connection.vendor == "postgresql":
        bindir = os.environ.get("CONCERTED_PG_BINDIR", "")
        pg_dump = str(Path(bindir) / "pg_dump") if bindir else shutil.which("pg_dump") or "pg_dump"
        env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
        result = subprocess.run(  # noqa: S603 (fixed argv, test-only)
            [
                pg_dump,
                "--data-only",
                "-h",
                settings_dict.get("HOST") or "127.0.0.1",
                "-p",
                str(settings_dict.get("PORT") or 5432),
                "-U",
                settings_dict.get("USER") or "postgres",
                settings_dict["NAME"],
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        return result.stdout
    raise NotImplementedError(connection.vendor)


def wait_for_write_lock(timeout: float = 3.0) -> float:
    """Seconds another connection to the same SQLite file waited for the write lock, as a
    signature would (raises after `timeout`, so a held lock fails the test rather than
    hanging it)."""
    other = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=timeout, isolation_level=None)
    try:
        started = time.monotonic()
        other.execute("BEGIN IMMEDIATE")
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
        return waited
    finally:
        other.close()


def export_columns(export: dict[str, Any], private_key: Any, record: dict[str, Any]) -> dict[str, Any]:
    """A sealed export record's columns (day, group, ...), from the export's one
    `columns` box opened with the committee key (its kind and ids checked)."""
    from . import export as export_format
    from . import sealing

    blob = base64.b64decode(export[export_format.COLUMNS])
    kind = export_format.columns_kind(export["kind"])
    opened = sealing.open_sealed(private_key, blob, kind=kind, ids=export_format.export_ids(export))
    columns = dict(opened[export_format.RECORDS][str(record["id"])])
    columns.pop(export_format.PAD, None)
    return columns


def reseal_columns(
    export: dict[str, Any], private_key: Any, record: dict[str, Any], columns: dict[str, Any], kind: str | None = None
) -> None:
    """Give a record `columns` as a forging server would (it has the public key, and the
    clear columns): the export's `columns` box sealed again, as `kind` if given, with
    every other record's columns as they were."""
    from nacl.public import SealedBox

    from . import export as export_format
    from . import sealing

    table: dict[str, Any] = {}
    if export_format.COLUMNS in export:
        plain = SealedBox(private_key).decrypt(base64.b64decode(export[export_format.COLUMNS]))
        table = json.loads(sealing._unpad(plain))["data"][export_format.RECORDS]  # any kind: it is re-sealed
    table[str(record["id"])] = columns
    blob = export_format.seal_columns(
        private_key.public_key,
        kind=kind or export["kind"],
        ids=export_format.export_ids(export),
        records={rid: {k: v for k, v in c.items() if k != export_format.PAD} for rid, c in table.items()},
    )
    export[export_format.COLUMNS] = base64.b64encode(blob).decode()


def assert_absent(haystack: bytes, *needles: str) -> None:
    for needle in needles:
        for encoded in {needle.encode("utf-8"), needle.encode("utf-16-le"), needle.lower().encode("utf-8")}:
            assert encoded not in haystack, f"{needle!r} found in raw bytes"


def pg_data_directory() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        return Path(cursor.fetchone()[0])


def raw_files(*, include_pg_wal: bool = False) -> dict[str, bytes]:
    """Every file an attacker who seizes the database finds, read as bytes.

    SQLite: the database file, its WAL and journal. PostgreSQL: every file in the data
    directory (heap, indexes, TOAST, free-space maps, temp files...) after a CHECKPOINT
    has written the shared buffers out; pg_wal only when asked (PostgreSQL recycles WAL
    segments on its own schedule: docs/SECURITY.md states what stays there)."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        found = {}
        for suffix in ("", "-wal", "-journal"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                found[str(candidate)] = candidate.read_bytes()
        return found
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
        root = pg_data_directory()
        found = {}
        for file in root.rglob("*"):
            relative = file.relative_to(root)
            if not file.is_file() or (relative.parts[0] == "pg_wal" and not include_pg_wal):
                continue
            try:
                found[str(relative)] = file.read_bytes()
            except (FileNotFoundError, PermissionError):
                continue  # removed while we walked, or the server's own lock files
        return found
    raise NotImplementedError(connection.vendor)


def files_containing(needle: bytes, files: dict[str, bytes]) -> list[str]:
    return [name for name, data in files.items() if needle in data]


# URL prefixes only signed-in organizers reach; everything else is public.
ORGANIZER_PREFIXES = ("o/", "accounts/tokens", "accounts/logout", "accounts/two-factor", "accounts/sessions")


def public_patterns() -> list[tuple[str, str]]:
    """(route, namespaced view name) of every URL pattern anyone can reach, from the
    URL resolver: a public page added later shows up here without editing any test."""
    from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:  # type: ignore[type-arg]
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                # The language prefix (/es/) comes before every page: routes read without it.
                here = "" if isinstance(p.pattern, LocalePrefixPattern) else str(p.pattern)
                walk(p.url_patterns, prefix + here, ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not route.startswith(ORGANIZER_PREFIXES) and "static" not in route:
                    found.append((route, f"{namespace}{p.name}"))

    walk(get_resolver().url_patterns, "", "")
    return found


@contextlib.contextmanager
def server_log_file(path: Path, keep: Callable[[logging.LogRecord], bool] = lambda _record: True) -> Iterator[Path]:
    """Every logger of this process written to `path` as production writes its log
    (the redaction filter on), for the leak tests to read as an attacker would."""
    from concerted.core.logging import RedactParticipantData

    handler = logging.FileHandler(path)
    handler.addFilter(RedactParticipantData())
    handler.addFilter(keep)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


@dataclass
class WsgiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def wsgi_call(
    app: Callable[..., Any],
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> WsgiResponse:
    """One request to a WSGI application as gunicorn makes it (the test client goes
    around concerted.wsgi, so it would miss what sits in front of Django)."""
    # As Django's test client does: the test's transaction outlives the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        status, response_headers, content = run_wsgi(app, wsgi_environ(method, path, query, headers or {}, body))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return WsgiResponse(int(status.split()[0]), response_headers, content)


def wsgi_environ(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes, host: str = "testserver:80"
) -> dict[str, Any]:
    """The environ a WSGI server builds for this request (headers by their HTTP names)."""
    name, port = host.rsplit(":", 1)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": name,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": name if port == "80" else host,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "CONTENT_LENGTH": str(len(body)),
    }
    for header, value in headers.items():
        key = header.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    return environ


def run_wsgi(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, list(response_headers)

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], seen["headers"], content

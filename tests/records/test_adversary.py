"""Invariant 10, tried as the employer would (DESIGN: "the adversary to test against").

World A: HR contact X signed the petition, pledged and signed a card. World B: a
stranger did instead. In each world the employer then submits X's contact, on the live
server and on a seized copy running the same software, and watches the answers, the
row counts and the size of the database. Both worlds must look the same. Then it tries
every key file and key variable found on the copy with every hashing helper in the
codebase on X's contact, and searches the seized files for the result: nothing."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import inspect
import itertools
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

import concerted
from concerted.core import hashing, keys
from concerted.core.dedup import normalize_contact
from concerted.core.testing import pg_data_directory, raw_files

from .adversary import STRANGER, X, attack, setup_world, submit

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def fresh_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")  # both worlds start from the same compact file


class Seized:
    """A copy of the server's data, and the software run against it in a new process."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "concerted.settings",
            "CONCERTED_RATELIMIT": "false",
            "CONCERTED_CODE_KEY": settings.CODE_KEY or "",
        }
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            tmp.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(connection.settings_dict["NAME"], tmp / "concerted.sqlite3")
            self.env["CONCERTED_DATA_DIR"] = str(tmp)
            self.env.pop("DATABASE_URL", None)
            self.database = ""
        else:
            self.database = f"seized_{uuid.uuid4().hex[:8]}"
            source = connection.settings_dict["NAME"]
            connections.close_all()
            with _pg_admin() as admin:
                _wait_until_alone(admin, source)
                admin.execute(f'CREATE DATABASE "{self.database}" TEMPLATE "{source}"')
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
            self.env["DATABASE_URL"] = f"{url}/{self.database}"

    def attack(self, slugs: dict[str, str]) -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, "-m", "tests.records.adversary", json.dumps(slugs)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def files(self) -> dict[str, bytes]:
        if connection.vendor == "sqlite":
            return {str(p): p.read_bytes() for p in self.tmp.iterdir() if p.is_file()}
        return raw_files(include_pg_wal=True)

    def table_files(self) -> dict[str, bytes]:
        """The files of the copy's own tables, their indexes and TOAST."""
        if connection.vendor == "sqlite":
            return self.files()
        import psycopg

        s = connection.settings_dict
        root = pg_data_directory()
        with psycopg.connect(
            host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"] or None, dbname=self.database
        ) as conn:
            paths = [
                r[0]
                for r in conn.execute(
                    "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't', 'i')"
                )
                if r[0]
            ]
        found = {}
        for path in paths:
            for file in root.glob(path + "*"):
                found[str(file)] = file.read_bytes()
        return found

    def drop(self) -> None:
        if self.database:
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}"')


def _wait_until_alone(admin: Any, database: str) -> None:
    """PostgreSQL copies a database only when nobody else is connected to it.

    An earlier test's server thread or subprocess may still be closing its session;
    wait for it, and end it if it lingers, since the copy is taken between requests.
    """
    others = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    for _ in range(50):
        if not admin.execute(others, (database,)).fetchall():
            return
        time.sleep(0.2)
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    )
    time.sleep(0.5)


def _pg_admin() -> Any:
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"],
        port=s["PORT"],
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def world(participant: dict[str, str], public_key: str, tmp: Path) -> dict[str, Any]:
    fresh_database()
    slugs = setup_world(public_key)
    _answers, receipts = submit(slugs, participant)
    assert len(receipts) == 3, "the participant's three submissions were not all taken"
    seized = Seized(tmp)
    try:
        return {
            "live": attack(slugs),
            "seized": seized.attack(slugs),
            "oracle_hits": key_search(seized, receipts),
        }
    finally:
        seized.drop()


def test_it_answers_and_stores_the_same_whether_or_not_x_took_part(tmp_path, private_key) -> None:
    public = keys.format_public(private_key.public_key)
    a = world(X, public, tmp_path / "a")
    b = world(STRANGER, public, tmp_path / "b")
    assert a["live"]["rows_added"] == b["live"]["rows_added"] != {}
    assert a["live"]["size_change"] == b["live"]["size_change"]
    assert a["live"]["answers"] == b["live"]["answers"]
    assert a["seized"] == b["seized"]
    assert a["live"]["answers"] == a["seized"]["answers"]
    assert a["oracle_hits"] == b["oracle_hits"] == []


# --- every key with every hashing helper ------------------------------------------------------------


def hashing_helpers() -> list[Callable[..., Any]]:
    """Every function in the codebase whose name says it hashes or derives a key."""
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(concerted.__path__, "concerted."):
        if ".migrations" in info.name or ".tests" in info.name or info.name.endswith(".wsgi"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:
            continue
        for name, fn in vars(module).items():
            lowered = name.lower()
            if inspect.isfunction(fn) and fn.__module__ == info.name and ("hash" in lowered or lowered.endswith("key")):
                found[f"{info.name}.{name}"] = fn
    return list(found.values())


def contact_forms(person: dict[str, str]) -> list[str]:
    values = [person["contact"], person["phone"], person["name"]]
    return sorted({v for raw in values for v in (raw, raw.lower(), raw.strip().casefold(), normalize_contact(raw))})


def keys_on_the_copy() -> list[bytes]:
    """Key material an attacker finds: key files in the data folder, KEY variables."""
    found: list[bytes] = []
    data_dir = Path(settings.DATA_DIR)
    if data_dir.exists():
        for path in data_dir.rglob("*"):
            if path.is_file() and "key" in path.name.lower() and path.stat().st_size < 4096:
                found.append(path.read_bytes().strip())
    for name, value in os.environ.items():
        if "KEY" in name.upper() and value:
            found.append(value.encode())
    if settings.CODE_KEY:
        found.append(settings.CODE_KEY.encode())
    return found


def outputs(value: Any) -> list[bytes]:
    if isinstance(value, str) and len(value) >= 16:
        return [value.encode(), value.lower().encode()]
    if isinstance(value, bytes | bytearray) and len(value) >= 16:
        return [bytes(value), bytes(value).hex().encode()]
    return []


CONTROL = "control.nobody.8821@example.org"


def key_search(seized: Seized, receipts: list[str]) -> list[str]:
    """Hash X's contact every way the codebase (and plain keyed BLAKE2b/HMAC) can, with
    every key found; return the ways whose result is in the seized files."""
    from django.test import override_settings

    helpers = hashing_helpers()
    assert any(fn.__name__ == "code_hash" for fn in helpers), "the helper search found nothing"
    haystack = Haystack(seized.files(), seized.table_files())
    # Sanity: receipts ARE stored as hashes, and the same search finds them.
    from concerted.core.receipts import receipt_hash

    assert any(haystack.holds(receipt_hash(code).encode()) for code in receipts), "the search can't find a hash"

    contacts = contact_forms(X)
    pool: list[Any] = [*contacts, "receipt", "invite", "petition", "pledge", "card", "export-token", "contact", ""]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM campaigns_campaign")
        pool += [str(r[0]) for r in cursor.fetchall()]
    candidates: dict[bytes, str] = {}
    for key in [None, *keys_on_the_copy()]:
        hex_key = key.decode(errors="ignore") if key else settings.CODE_KEY
        with override_settings(CODE_KEY=hex_key):
            hashing._master_key.cache_clear()
            for fn in helpers:
                for args in _argument_tuples(fn, pool, contacts):
                    try:
                        value = fn(*args)
                        # The same call for someone else: an output that doesn't depend on
                        # the contact (a constant, e.g. the group's identity element) says
                        # nothing about X, whatever it matches.
                        control = fn(*(CONTROL if a in contacts else a for a in args))
                    except Exception:
                        continue
                    same = set(outputs(control))
                    for out in outputs(value):
                        if out not in same:
                            candidates[out] = f"{fn.__module__}.{fn.__name__}{args}"
        hashing._master_key.cache_clear()
        for material in filter(None, [key, *(_unhex(key) for key in [key] if key)]):
            for contact in contacts:
                for person in (b"", b"concerted-dedup", b"concerted-codes", b"concerted-invite"):
                    for size in (16, 32, 64):
                        digest = hashlib.blake2b(contact.encode(), key=material[:64], digest_size=size, person=person)
                        for out in outputs(digest.digest()):
                            candidates[out] = f"blake2b({contact})"
                for algorithm in ("sha256", "sha512"):
                    mac = hmac.new(material, contact.encode(), algorithm).digest()
                    for out in outputs(mac):
                        candidates[out] = f"hmac-{algorithm}({contact})"
    assert len(candidates) > 50, "too few ways tried to mean anything"
    return sorted({how for out, how in candidates.items() if haystack.holds(out)})


class Haystack:
    """The seized bytes, searchable for thousands of candidates in one pass: hex digests
    are looked up among every run of hex digits in every file (WAL included); raw
    digests in the files of the database's own tables, indexes and TOAST."""

    HEX = re.compile(rb"[0-9a-fA-F]{32,}")

    def __init__(self, files: dict[str, bytes], table_files: dict[str, bytes]) -> None:
        self.windows: set[bytes] = set()
        for data in files.values():
            for run in {m.group().lower() for m in self.HEX.finditer(data)}:
                for size in (32, 64, 128):
                    self.windows.update(run[i : i + size] for i in range(len(run) - size + 1))
        self.raw = b"".join(table_files.values())

    def holds(self, needle: bytes) -> bool:
        if len(needle) in (32, 64, 128) and self.HEX.fullmatch(needle):
            return needle.lower() in self.windows
        return needle in self.raw


def _unhex(key: bytes) -> bytes | None:
    try:
        return bytes.fromhex(key.decode())
    except ValueError:
        return None


def _argument_tuples(fn: Callable[..., Any], pool: list[Any], contacts: list[str]) -> list[tuple[Any, ...]]:
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if not params or len(params) > 4:
        return []
    return [args for args in itertools.product(pool, repeat=len(params)) if any(a in contacts for a in args)]

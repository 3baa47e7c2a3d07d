"""The queued-writer SQLite backend: one write transaction at a time, handed over at
COMMIT or ROLLBACK, without SQLite's sleeping busy handler."""

from __future__ import annotations

import threading
import time

import pytest

from concerted.core.sqlitedb.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # These tests open their own connections to a scratch file, not the test database.
    with django_db_blocker.unblock():
        yield


def wrapper(path) -> DatabaseWrapper:
    settings = {
        "ENGINE": "concerted.core.sqlitedb",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    w = DatabaseWrapper(settings, alias=f"w{id(settings)}")
    w.inc_thread_sharing()
    w.ensure_connection()
    return w


def test_it_queues_a_second_writer_until_the_first_commits(tmp_path):
    first, second = wrapper(tmp_path / "db.sqlite3"), wrapper(tmp_path / "db.sqlite3")
    first.cursor().execute("CREATE TABLE t (x INTEGER)")
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    began = threading.Event()

    def other() -> None:
        second._start_transaction_under_autocommit()
        began.set()
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second._commit()

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.3)
    assert not began.is_set(), "a second writer started while the first held the write lock"
    first._commit()
    thread.join(5)
    assert began.is_set()
    assert first.cursor().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2
    assert (tmp_path / "db.sqlite3.writelock").exists()
    first.close()
    second.close()


def test_it_hands_over_the_lock_on_rollback_and_close(tmp_path):
    first, second = wrapper(tmp_path / "db.sqlite3"), wrapper(tmp_path / "db.sqlite3")
    first._start_transaction_under_autocommit()
    first._rollback()
    second._start_transaction_under_autocommit()  # would block forever if the lock leaked
    second.close()
    first._start_transaction_under_autocommit()
    first._commit()
    first.close()

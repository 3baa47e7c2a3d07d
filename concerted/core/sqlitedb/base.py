"""SQLite with one writer at a time, queued without sleeping.

SQLite lets one transaction write at a time. When several server threads and processes
want the write lock at once, the losers wait in SQLite's busy handler, which *sleeps*
(1, 2, 5, 10 ... up to 100 ms) between tries: the lock often sits free while every
writer sleeps, and a signature's latency climbs to seconds at 50+ concurrent clients.

This backend queues writers instead: each write transaction (`BEGIN IMMEDIATE`, which
`transaction_mode="IMMEDIATE"` makes every atomic block) first takes a threading lock
for the threads of this process and an flock on a file beside the database for the
other processes, both of which hand over to the next waiter at once. The lock is
released at COMMIT or ROLLBACK. Use it with ENGINE "concerted.core.sqlitedb"."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from django.db.backends.sqlite3 import base as sqlite_base

_locks: dict[str, tuple[threading.Lock, list[Any]]] = {}
_guard = threading.Lock()


def _writer_lock(name: str) -> tuple[threading.Lock, list[Any]]:
    with _guard:
        if name not in _locks:
            _locks[name] = (threading.Lock(), [None, None])  # [fd, pid that opened it]
        return _locks[name]


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    _holding: tuple[threading.Lock, list[Any]] | None = None

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + ".writelock"

    def _acquire_writer(self) -> None:
        path = self._lock_path()
        if path is None or self._holding is not None:
            return
        lock, state = _writer_lock(path)
        lock.acquire()
        try:
            if state[0] is None or state[1] != os.getpid():  # first use, or after a fork
                state[0] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                state[1] = os.getpid()
            fcntl.flock(state[0], fcntl.LOCK_EX)
        except BaseException:
            lock.release()
            raise
        self._holding = (lock, state)

    def _release_writer(self) -> None:
        if self._holding is None:
            return
        lock, state = self._holding
        self._holding = None
        try:
            fcntl.flock(state[0], fcntl.LOCK_UN)
        finally:
            lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._release_writer()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_writer()

"""Making deleted rows unrecoverable: the purge step of the one erase path
(`core.records.erase`; invite codes use it too).

SQLite's secure_delete (set in settings) zeroes deleted content in the database file,
but in WAL mode the old page images stay in the -wal file until a checkpoint writes
them back and the WAL is reset. After destroying participant rows (a withdrawal, a
lapsed pledge) we checkpoint and truncate the WAL so they are gone from disk too.
PostgreSQL keeps dead tuples in the heap file, and VACUUM only marks their space free
without overwriting it; VACUUM FULL rewrites the table into new files (dead tuples
and dropped columns left behind) and unlinks the old ones.

But VACUUM FULL copies a deleted row into the new files while any other session's
snapshot may still see it ("recently dead"): a request in flight, autovacuum's
ANALYZE, an open transaction. So the rewrite first waits, a few seconds at most, until
no session in this database holds a snapshot or transaction older than the delete. A
snapshot that outlives the wait (a `pg_dump` in progress) has the row copied once more;
the next `concerted tick`, which rewrites every participant table with the same wait
(records.scramble_all), leaves nothing of it once that snapshot has ended. The backup
the snapshot was for holds the row anyway."""

from __future__ import annotations

import logging
import time

from django.db import connection

log = logging.getLogger(__name__)

# How long a purge waits for older snapshots to end before rewriting anyway.
PG_SNAPSHOT_WAIT_SECONDS = 5.0
# How long a purge on SQLite waits for readers to let go of the WAL. A reader holding an
# old snapshot for longer (a backup of a large database, a slow export) keeps the WAL's
# frames, so the purge doesn't wait the full 20 s busy timeout on a participant's page:
# `concerted tick --quick` (every five minutes) folds the WAL again once it has ended.
SQLITE_READER_WAIT_SECONDS = 5.0

# Sessions in this database whose snapshot or transaction began before `horizon` (the
# next transaction id when the delete had committed): they may still see its rows.
_OLDER_SESSIONS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND ((backend_xmin IS NOT NULL AND age(backend_xmin) > age(%(horizon)s::text::xid))
    OR (backend_xid IS NOT NULL AND age(backend_xid) > age(%(horizon)s::text::xid)))
"""


def purge_deleted(table: str | None = None) -> None:
    if connection.in_atomic_block:
        connection.on_commit(lambda: purge_deleted(table))
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fold_wal(cursor)
        elif connection.vendor == "postgresql" and table:
            _wait_for_older_snapshots(cursor)
            cursor.execute(f'VACUUM (FULL) "{table}"')  # table names come from model _meta, never input


def _wait_for_older_snapshots(cursor: object) -> None:
    # The 32-bit xid of the next transaction: every delete that has committed is older.
    cursor.execute("SELECT mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, 4294967296)")  # type: ignore[attr-defined]
    (horizon,) = cursor.fetchone()  # type: ignore[attr-defined]
    deadline = time.monotonic() + PG_SNAPSHOT_WAIT_SECONDS
    while True:
        cursor.execute(_OLDER_SESSIONS, {"horizon": horizon})  # type: ignore[attr-defined]
        if cursor.fetchone()[0] == 0 or time.monotonic() >= deadline:  # type: ignore[attr-defined]
            return
        time.sleep(0.05)


def fold_wal(cursor: object | None = None) -> bool:
    """Write the WAL back into the database file and truncate it to nothing, so no old
    page image (an erased row, commits in arrival order) stays in the -wal file. SQLite
    answers a checkpoint that readers blocked with busy=1 rather than an error: read it.
    False when a reader still holds the WAL after SQLITE_READER_WAIT_SECONDS (the frames
    stay until the next fold); True when the WAL is empty, and on PostgreSQL."""
    if connection.vendor != "sqlite":
        return True
    if connection.in_atomic_block:  # a checkpoint can't run inside a transaction: after it
        connection.on_commit(fold_wal)
        return False
    if cursor is None:
        with connection.cursor() as own:
            return fold_wal(own)
    cursor.execute("PRAGMA busy_timeout")  # type: ignore[attr-defined]
    (before,) = cursor.fetchone()  # type: ignore[attr-defined]
    cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_READER_WAIT_SECONDS * 1000)}")  # type: ignore[attr-defined]
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
        busy, _frames, _written = cursor.fetchone()  # type: ignore[attr-defined]
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(before)}")  # type: ignore[attr-defined]
    if busy:
        # No path, no table, no time but the log line's own: the next fold retries.
        log.warning("A reader held the database's WAL: erased rows stay in it until the next concerted tick.")
    return not busy

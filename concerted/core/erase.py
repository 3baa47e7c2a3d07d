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

import time

from django.db import connection

# How long a purge waits for older snapshots to end before rewriting anyway.
PG_SNAPSHOT_WAIT_SECONDS = 5.0

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
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
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

"""Making deleted rows unrecoverable: the purge step of the one erase path
(`core.records.erase`; invite codes use it too).

SQLite's secure_delete (set in settings) zeroes deleted content in the database file,
but in WAL mode the old page images stay in the -wal file until a checkpoint writes
them back and the WAL is reset. After destroying participant rows (a withdrawal, a
lapsed pledge) we checkpoint and truncate the WAL so they are gone from disk too.
PostgreSQL keeps dead tuples in the heap file, and VACUUM only marks their space free
without overwriting it; VACUUM FULL rewrites the table into new files (dead tuples
and dropped columns left behind) and unlinks the old ones."""

from __future__ import annotations

from django.db import connection


def purge_deleted(table: str | None = None) -> None:
    if connection.in_atomic_block:
        connection.on_commit(lambda: purge_deleted(table))
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql" and table:
            cursor.execute(f'VACUUM (FULL) "{table}"')  # table names come from model _meta, never input

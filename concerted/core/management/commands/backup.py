"""`concerted backup FILE`: a consistent backup of the live database.

SQLite: the online backup API (never a copy of the live file). PostgreSQL: pg_dump in
custom format. The file is written 0600 with a small manifest beside it (FILE.json:
row counts and a fingerprint of the de-duplication key, never the key itself)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from concerted.core import dbtools


def table_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = (
        "Back up the database to FILE (SQLite online backup API, or pg_dump on PostgreSQL). "
        "The invite-code key is not inside: back up settings.CODE_KEY_FILE separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the backup, e.g. /backups/concerted-2026-05-01.db")
        parser.add_argument("--force", action="store_true", help="Overwrite FILE if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        dest = Path(options["file"]).expanduser().resolve()
        if dest.exists() and not options["force"]:
            raise CommandError(f"{dest} already exists; choose another name or pass --force.")
        if not dest.parent.is_dir():
            raise CommandError(f"The folder {dest.parent} does not exist.")
        db = connection.settings_dict
        try:
            kind = dbtools.vendor(db)
            counts = table_counts()
            if kind == "sqlite":
                dbtools.sqlite_backup(Path(db["NAME"]), dest)
            else:
                dbtools.pg_backup(db, dest)
        except (dbtools.DbToolError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        dbtools.write_manifest(
            dest,
            {
                "format": "concerted-backup/1",
                "database": kind,
                "day": datetime.date.today().isoformat(),
                "counts": counts,
            },
        )
        rows = sum(counts.values())
        self.stdout.write(
            f"Backed up {kind} database ({len(counts)} tables, {rows} rows) to {dest} (mode 0600).\n"
            f"Manifest: {dbtools.manifest_path(dest)}\n"
            "The backup holds sealed records only, but still protect it: it shows counts, days and groups.\n"
            "The invite-code key is NOT in it: keep a copy of codes.key, or unused invite codes stop working."
        )

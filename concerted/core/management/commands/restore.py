"""`concerted restore FILE`: load a backup made by `concerted backup` into the
configured database (refuses a database that already has data unless --force)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from concerted.core import dbtools

from .backup import table_counts


class Command(BaseCommand):
    help = (
        "Restore a backup made by `concerted backup` into the configured database. Restore the "
        "de-duplication key file too, or repeat signers will no longer be recognized."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A backup made by `concerted backup`")
        parser.add_argument("--force", action="store_true", help="Replace a database that already holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"]).expanduser().resolve()
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        db = connection.settings_dict
        try:
            kind = dbtools.vendor(db)
            found = dbtools.backup_kind(source)
            if found != kind:
                raise CommandError(
                    f"{source} is a {found} backup but the configured database is {kind}: "
                    "restore into the same kind of database it came from."
                )
            existing = table_counts()
            if any(n > 0 for t, n in existing.items() if t != "django_migrations") and not options["force"]:
                raise CommandError(
                    "The configured database already holds data; refusing to overwrite it. "
                    "Restore into a fresh database, or pass --force to replace it."
                )
            connection.close()
            if kind == "sqlite":
                dbtools.sqlite_restore(source, Path(db["NAME"]))
            else:
                dbtools.pg_restore(db, source, clean=bool(existing))
            counts = table_counts()
        except (dbtools.DbToolError, OSError) as exc:
            raise CommandError(f"Restore failed: {exc}") from None
        self.stdout.write(f"Restored {kind} backup {source}: {sum(counts.values())} rows in {len(counts)} tables.")
        manifest = dbtools.read_manifest(source)
        if manifest is None:
            self.stdout.write("No manifest beside the backup; row counts were not compared.")
            return
        expected = manifest.get("counts") or {}
        differ = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if differ:
            raise CommandError(f"Row counts differ from the backup's manifest (table: expected, found): {differ}")
        self.stdout.write("Row counts match the backup's manifest.")

"""`concerted backup FILE`: a consistent backup of the live database.

SQLite: the online backup API (never a copy of the live file). PostgreSQL: pg_dump in
custom format. The file is written 0600 with a small manifest beside it (FILE.json:
row counts; the invite-code key is not inside a plain backup).

`concerted backup --encrypted` (the nightly timer): the snapshot stays in memory and
only its age ciphertext is written, to settings.BACKUP_DIR; see core/agebackup.py."""

from __future__ import annotations

import datetime
import errno
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.core import agebackup, dbtools, mishaps
from concerted.core.management.base import OrganizerCommand


def table_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Back up the database to FILE (SQLite online backup API, or pg_dump on PostgreSQL). "
        "The invite-code key is not inside: back up settings.CODE_KEY_FILE separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", help=gettext_lazy("Where to write a plain backup, e.g. /backups/concerted-2026-05-01.db")
        )
        parser.add_argument("--force", action="store_true", help=gettext_lazy("Overwrite FILE if it exists"))
        parser.add_argument(
            "--encrypted",
            action="store_true",
            help=gettext_lazy(
                "Encrypt with age to the committee's backup key (the file CONCERTED_BACKUP_RECIPIENTS names) into "
                "CONCERTED_BACKUP_DIR, named by the time (no FILE), and delete backups older than "
                "CONCERTED_BACKUP_KEEP_DAYS days"
            ),
        )

    def manifest(self, kind: str, counts: dict[str, int]) -> dict[str, Any]:
        return {
            "format": "concerted-backup/1",
            "database": kind,
            "day": datetime.date.today().isoformat(),
            "counts": counts,
            # A restore refuses a backup from a newer release before replacing anything,
            # and applies what an older one lacks (restore.py).
            "migrations": sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()),
            # Checked by restore against the key the restored server will use: a plain
            # backup doesn't hold the key (agebackup.code_key_fingerprint).
            "code_key_fingerprint": agebackup.code_key_fingerprint(agebackup.live_code_key()),
        }

    def handle(self, *args: Any, **options: Any) -> None:
        # A wrong data folder holds an empty database: its backup would look like a backup.
        mishaps.require_schema()
        if options["encrypted"] and options["file"]:
            # Refused rather than honoured: an encrypted backup is named by its time in the
            # backup folder, where the next backup expires it; one written elsewhere would
            # never expire, and a withdrawn signature would outlive every promise.
            raise CommandError(
                _(
                    "--encrypted writes to the backup folder %(folder)s (CONCERTED_BACKUP_DIR), named by the "
                    "time, where old backups expire (CONCERTED_BACKUP_KEEP_DAYS): leave out %(file)s, or leave "
                    "out --encrypted for a plain backup to that file. Nothing was written."
                )
                % {"folder": settings.BACKUP_DIR, "file": options["file"]}
            )
        if options["encrypted"]:
            return self.encrypted()
        if not options["file"]:
            raise CommandError(_("Name the file to write, or pass --encrypted."))
        dest = Path(options["file"]).expanduser().resolve()
        if dest.exists() and not options["force"]:
            raise CommandError(_("%(file)s already exists; choose another name or pass --force.") % {"file": dest})
        if not dest.parent.is_dir():
            raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": dest.parent})
        db = connection.settings_dict
        try:
            kind = dbtools.vendor(db)
            counts = table_counts()
            if kind == "sqlite":
                dbtools.sqlite_backup(Path(db["NAME"]), dest)
            else:
                dbtools.pg_backup(db, dest)
        except OSError as exc:
            raise CommandError(self.failed(exc, dest.parent)) from None
        except dbtools.DbToolError as exc:
            raise CommandError(_("Backup failed: %(error)s") % {"error": exc}) from None
        dbtools.write_manifest(dest, self.manifest(kind, counts))
        rows = sum(counts.values())
        self.stdout.write(
            _(
                "Backed up %(kind)s database (%(tables)d tables, %(rows)d rows) to %(file)s (mode 0600).\n"
                "Manifest: %(manifest)s\n"
                "The backup holds sealed records only, but still protect it: it shows counts, days and groups.\n"
                "The invite-code key is NOT in it: keep a copy of codes.key, or unused invite codes stop working."
            )
            % {"kind": kind, "tables": len(counts), "rows": rows, "file": dest, "manifest": dbtools.manifest_path(dest)}
        )

    @staticmethod
    def failed(exc: OSError, folder: Path) -> str:
        # A full disk names the backup folder's disk, not whichever file was being written.
        explained = mishaps.full_disk(str(folder)) if exc.errno == errno.ENOSPC else mishaps.explain(exc)
        return _("Backup failed: %(error)s") % {"error": explained or exc}

    def encrypted(self) -> None:
        directory = Path(settings.BACKUP_DIR)
        if not directory.is_dir():
            raise CommandError(_("The backup folder %(folder)s does not exist.") % {"folder": directory})
        db = connection.settings_dict
        try:
            kind = dbtools.vendor(db)
            agebackup.read_recipients(Path(settings.BACKUP_RECIPIENTS_FILE))
            counts = table_counts()
            snapshot = agebackup.sqlite_snapshot(Path(db["NAME"])) if kind == "sqlite" else agebackup.pg_snapshot(db)
            written = agebackup.write_encrypted(
                kind,
                snapshot,
                self.manifest(kind, counts),
                directory=directory,
                recipients=Path(settings.BACKUP_RECIPIENTS_FILE),
                keep_days=settings.BACKUP_KEEP_DAYS,
            )
        except OSError as exc:
            raise CommandError(self.failed(exc, directory)) from None
        except dbtools.DbToolError as exc:
            raise CommandError(_("Backup failed: %(error)s") % {"error": exc}) from None
        self.stdout.write(
            _("Backed up %(kind)s database (%(rows)d rows) to %(file)s, encrypted with age to each key in %(keys)s.")
            % {
                "kind": kind,
                "rows": sum(counts.values()),
                "file": written.path,
                "keys": settings.BACKUP_RECIPIENTS_FILE,
            }
        )
        if written.deleted:
            deleted, days = len(written.deleted), settings.BACKUP_KEEP_DAYS
            # Translators: each part is a count with its noun, e.g. "Deleted 2 backups older than 7 days."
            self.stdout.write(
                _("Deleted %(backups)s older than %(days)s.")
                % {
                    "backups": ngettext("%(n)d backup", "%(n)d backups", deleted) % {"n": deleted},
                    "days": ngettext("%(n)d day", "%(n)d days", days) % {"n": days},
                }
            )

"""`concerted restore FILE`: load a backup made by `concerted backup` into the
configured database (refuses a database that already has data unless --force).

An age-encrypted backup (`concerted backup --encrypted`) needs --identity, the
committee's backup key: it is decrypted into memory and loaded from there.

Unused invite codes are stored as hashes keyed with the invite-code key (codes.key,
core/hashing.py), which a plain backup does not hold. A restore whose backup has unused
invite codes refuses to start while no key is in place (--without-code-key to go on
anyway): the server would otherwise make a new key on the first invite code, and every
printed card would be refused for good. The data folder and the SQLite file are made
private (0700, 0600), as `concerted doctor` expects."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import agebackup, dbtools, mishaps
from concerted.core.management.base import OrganizerCommand

from .backup import table_counts

# The one table whose rows need the invite-code key: unused invite codes, as keyed hashes.
CODE_KEYED_TABLES = ("invites_invitecode",)


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Restore a backup made by `concerted backup` into the configured database. A plain backup does not "
        "hold the invite-code key: put the old server's codes.key in place too, or unused invite codes stop working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("A backup made by `concerted backup`"))
        parser.add_argument(
            "--force", action="store_true", help=gettext_lazy("Replace a database that already holds data")
        )
        parser.add_argument(
            "--identity",
            help=gettext_lazy(
                "The committee's age backup key, for a backup made with --encrypted (bring it for the "
                "restore, then remove it from the server)"
            ),
        )
        parser.add_argument(
            "--without-code-key",
            action="store_true",
            help=gettext_lazy(
                "Restore even though the backup has unused invite codes and no invite-code key is in place "
                "(those codes will stop working)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"]).expanduser().resolve()
        db = connection.settings_dict
        members: dict[str, bytes] = {}
        created: list[Path] = []
        try:
            # Inside the try: a file the service user can't read is a message, not a traceback.
            with open(source, "rb"):
                pass
            kind = dbtools.vendor(db)
            if agebackup.is_encrypted(source):
                if not options["identity"]:
                    raise CommandError(
                        _("%(file)s is encrypted with age: pass --identity with the committee's backup key.")
                        % {"file": source.name}
                    )
                members = agebackup.unpack(agebackup.decrypt(source, Path(options["identity"]).expanduser()))
                found = next((k for k, m in agebackup.DB_MEMBER.items() if m in members), "")
                if not found:
                    raise CommandError(
                        _("%(file)s holds no database: is it a Concerted backup?") % {"file": source.name}
                    )
            else:
                found = dbtools.backup_kind(source)
            if found != kind:
                raise CommandError(
                    _(
                        "%(file)s is a %(found)s backup but the configured database is %(kind)s: "
                        "restore into the same kind of database it came from."
                    )
                    % {"file": source, "found": found, "kind": kind}
                )
            manifest = (
                json.loads(members["manifest.json"]) if "manifest.json" in members else dbtools.read_manifest(source)
            )
            keyed = self.code_keyed_rows(
                (manifest or {}).get("counts")
                or (self.backup_counts(source) if kind == "sqlite" and not members else {})
            )
            if keyed and not self.code_key_in_place(members) and not options["without_code_key"]:
                raise CommandError(self.missing_code_key(keyed))
            created = [f for f in self.sqlite_files(kind, db) if not f.exists()]
            self.create_private(kind, db)
            existing = table_counts()
            if any(n > 0 for t, n in existing.items() if t != "django_migrations") and not options["force"]:
                raise CommandError(
                    _(
                        "The configured database already holds data; refusing to overwrite it. "
                        "Restore into a fresh database, or pass --force to replace it."
                    )
                )
            self.make_private(kind, db)
            connection.close()
            if members and kind == "sqlite":
                agebackup.sqlite_restore_bytes(members[agebackup.DB_MEMBER[kind]], Path(db["NAME"]))
            elif members:
                agebackup.pg_restore_bytes(db, members[agebackup.DB_MEMBER[kind]], clean=bool(existing))
            elif kind == "sqlite":
                dbtools.sqlite_restore(source, Path(db["NAME"]))
            else:
                dbtools.pg_restore(db, source, clean=bool(existing))
            if "codes.key" in members:
                self.restore_code_key(members["codes.key"])
            counts = table_counts()
            self.make_private(kind, db)
        except (dbtools.DbToolError, OSError, sqlite3.Error) as exc:
            # Don't leave a database this restore began behind, looking like a restored one.
            connection.close()
            for path in created:
                path.unlink(missing_ok=True)
            if isinstance(exc, FileNotFoundError):
                raise CommandError(_("%(file)s does not exist.") % {"file": exc.filename or source}) from None
            raise CommandError(_("Restore failed: %(error)s") % {"error": mishaps.explain(exc) or exc}) from None
        self.stdout.write(
            _("Restored %(kind)s backup %(file)s: %(rows)d rows in %(tables)d tables.")
            % {"kind": kind, "file": source, "rows": sum(counts.values()), "tables": len(counts)}
        )
        keyed = self.code_keyed_rows(counts)
        if keyed and not self.code_key_in_place({}):
            self.stderr.write(
                _(
                    "Warning: the restored database has %(count)d unused invite codes, and no invite-code key is "
                    "in place (%(file)s does not exist): those codes do not work without the key of the server "
                    "they were made on. Before the server takes an invite code, copy that server's codes.key "
                    "here: install -D -m 600 codes.key %(file)s. Otherwise it makes a new key, and the printed "
                    "cards never work again: print new ones."
                )
                % {"count": keyed, "file": Path(settings.CODE_KEY_FILE)}
            )
        if manifest is None:
            self.stdout.write(_("No manifest beside the backup; row counts were not compared."))
            return
        expected = manifest.get("counts") or {}
        differ = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if differ:
            raise CommandError(
                _("Row counts differ from the backup's manifest (table: expected, found): %(differ)s")
                % {"differ": differ}
            )
        self.stdout.write(_("Row counts match the backup's manifest."))

    def restore_code_key(self, key: bytes) -> None:
        if settings.CODE_KEY:
            self.stderr.write(
                _(
                    "The backup holds its invite-code key, but CONCERTED_CODE_KEY is set in the environment: "
                    "set it to the backup's key, or remove it so the key file is used."
                )
            )
            return
        path = Path(settings.CODE_KEY_FILE)
        if path.exists() and path.read_bytes() == key:
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".restored")
        dbtools.write_private(tmp, key)
        tmp.replace(path)
        self.stdout.write(_("The invite-code key was restored from the backup into %(file)s.") % {"file": path})

    @staticmethod
    def code_keyed_rows(counts: dict[str, Any]) -> int:
        return sum(int(counts.get(table) or 0) for table in CODE_KEYED_TABLES)

    @staticmethod
    def backup_counts(source: Path) -> dict[str, int]:
        """A plain SQLite backup without its manifest: count in the backup itself (a damaged
        one is refused by the integrity check that follows)."""
        try:
            return dbtools.sqlite_counts(source)
        except sqlite3.Error:
            return {}

    @staticmethod
    def code_key_in_place(members: dict[str, bytes]) -> bool:
        return bool(settings.CODE_KEY) or "codes.key" in members or Path(settings.CODE_KEY_FILE).exists()

    @staticmethod
    def missing_code_key(count: int) -> str:
        return _(
            "The backup has %(count)d unused invite codes. They work only with the invite-code key of the "
            "server they were made on, and no key is in place: %(file)s does not exist. Nothing was restored. "
            "Copy codes.key from the old server's data folder (or from your copy of it) first:\n"
            "  install -D -m 600 codes.key %(file)s\n"
            "then run this restore again. If the key is lost, pass --without-code-key: those invite codes "
            "will stop working, so void their batches and print new ones."
        ) % {"count": count, "file": Path(settings.CODE_KEY_FILE)}

    @staticmethod
    def sqlite_files(kind: str, db: dict[str, Any]) -> list[Path]:
        if kind != "sqlite":
            return []
        target = Path(db["NAME"])
        return [target.with_name(target.name + suffix) for suffix in ("", "-wal", "-shm")]

    def create_private(self, kind: str, db: dict[str, Any]) -> None:
        """What is missing, made private from the start: the data folder 0700 and an empty
        SQLite file 0600 (SQLite would create it 0644 on the first look inside)."""
        files = self.sqlite_files(kind, db)
        for folder in dict.fromkeys([Path(settings.DATA_DIR), *(f.parent for f in files[:1])]):
            if not folder.exists():
                folder.mkdir(mode=0o700, parents=True)
                os.chmod(folder, 0o700)  # mkdir's mode goes through the umask
        if files and not files[0].exists():
            dbtools.write_private(files[0], b"")

    def make_private(self, kind: str, db: dict[str, Any]) -> None:
        """The data folder 0700 and the SQLite database 0600, as `concerted doctor` and
        `concerted deploy` want them, whatever the umask: settings create the data folder
        with the umask's mode (0755 on a new machine)."""
        for path in [Path(settings.DATA_DIR), *self.sqlite_files(kind, db)]:
            if not path.exists():
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                try:
                    os.chmod(path, mode & ~0o077)
                except PermissionError:
                    continue  # not ours (say, a folder root made): `concerted doctor` says so
                self.stdout.write(
                    _("%(file)s was readable by other users: made it private (mode %(mode)s).")
                    % {"file": path, "mode": f"{mode & ~0o077:04o}"}
                )

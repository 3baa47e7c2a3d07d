"""`concerted restore FILE`: load a backup made by `concerted backup` into the
configured database (refuses a database that already has data unless --force).

An age-encrypted backup (`concerted backup --encrypted`) needs --identity, the
committee's backup key: it is decrypted into memory and loaded from there.

Unused invite codes are stored as hashes keyed with the invite-code key (codes.key,
core/hashing.py), which a plain backup does not hold. A restore whose backup has unused
invite codes refuses to start while no key is in place (--without-code-key to go on
anyway): the server would otherwise make a new key on the first invite code, and every
printed card would be refused for good. A key in place that is not the one the codes
were made with (the manifest's fingerprint differs: `make deploy` always writes a new
one) is refused the same way.

The backup's migrations are compared with the code's before anything is replaced: a
backup from a newer release is refused, naming what to install; one from an older
release is migrated as part of the restore. The data folder and the SQLite file are made
private (0700, 0600), as `concerted doctor` expects."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.core import agebackup, dbtools, erase, mishaps
from concerted.core.management.base import OrganizerCommand

from .backup import table_counts

# The one table whose rows need the invite-code key: unused invite codes, as keyed hashes.
CODE_KEYED_TABLES = ("invites_invitecode",)

Migration = tuple[str, str]  # (app label, migration name), as django_migrations holds them


def code_migrations() -> set[Migration]:
    """Every migration this code has, read from disk (no database needed)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def named(migrations: set[Migration]) -> str:
    return ", ".join(f"{app}.{name}" for app, name in sorted(migrations))


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
                "Restore even though the backup has unused invite codes and no invite-code key is in place, or "
                "another key than theirs (those codes will stop working)"
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
            if keyed and not options["without_code_key"]:
                self.check_code_key(manifest or {}, members, keyed)
            # A backup from a newer release: its tables don't match this code's, and the
            # site would fail on every page that touches them. Refused before anything changes.
            newer = self.backup_migrations(manifest or {}, members, source, kind)
            if newer is not None and (unknown := newer - code_migrations()):
                raise CommandError(self.newer_backup(source, unknown, manifest or {}, replaced=False))
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
            # Counted before migrating: the manifest counted the backup's own tables.
            counts = table_counts()
            applied = self.migrate_to_code(source, manifest or {})
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
        if applied:
            self.stdout.write(
                ngettext(
                    "The backup was made by an older release: applied the %(count)d migration it lacked (%(names)s).",
                    "The backup was made by an older release: applied the %(count)d migrations it lacked (%(names)s).",
                    len(applied),
                )
                % {"count": len(applied), "names": named(applied)}
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

    def check_code_key(self, manifest: dict[str, Any], members: dict[str, bytes], keyed: int) -> None:
        """The backup's unused invite codes work only with the key they were hashed with:
        compare its fingerprint (in the manifest, or the key inside an encrypted backup)
        with the key the restored server will use. A fresh `make deploy` always writes a
        new codes.key, and a plain backup restored beside it would break every printed
        invite code and ballot card without a word."""
        expected = manifest.get("code_key_fingerprint")
        if not expected and "codes.key" in members:
            expected = agebackup.code_key_fingerprint(members["codes.key"])
        if not expected:
            self.stderr.write(
                _(
                    "Warning: this backup is older than the invite-code key's fingerprint, so whether %(file)s is "
                    "the key its %(count)d unused invite codes were made with can't be checked. If printed codes "
                    "are refused after the restore, put the old server's codes.key there."
                )
                % {"count": keyed, "file": self.code_key_source()}
            )
            return
        if agebackup.code_key_fingerprint(self.code_key_to_use(members)) != expected:
            raise CommandError(
                _(
                    "The backup's %(count)d unused invite codes were made with another invite-code key than "
                    "%(file)s, the one this server would use: restored with it, every printed invite code and "
                    "ballot card would be refused. Nothing was restored. Put the old server's codes.key in its "
                    "place first (install -D -m 600 codes.key %(path)s; unset CONCERTED_CODE_KEY, or set it to "
                    "that key), then run this restore again. If that key is lost, pass --without-code-key: those "
                    "codes stop working, so void their batches and print new ones."
                )
                % {"count": keyed, "file": self.code_key_source(), "path": Path(settings.CODE_KEY_FILE)}
            )

    @staticmethod
    def code_key_to_use(members: dict[str, bytes]) -> str | bytes | None:
        """The key the server will hash invite codes with after this restore: the
        environment's, else the one inside the backup (put in place), else the file."""
        if settings.CODE_KEY:
            return settings.CODE_KEY
        if "codes.key" in members:
            return members["codes.key"]
        return agebackup.live_code_key()

    @staticmethod
    def code_key_source() -> str:
        if settings.CODE_KEY:
            return "CONCERTED_CODE_KEY"
        return str(Path(settings.CODE_KEY_FILE))

    @staticmethod
    def backup_migrations(
        manifest: dict[str, Any], members: dict[str, bytes], source: Path, kind: str
    ) -> set[Migration] | None:
        """The migrations applied in the backup's database: listed in its manifest, or read
        from an SQLite backup itself (older backups). None when they can't be known before
        restoring (an older PostgreSQL backup): checked after restoring instead."""
        listed = manifest.get("migrations")
        if isinstance(listed, list):
            return {tuple(m.split(".", 1)) for m in listed if "." in m}  # type: ignore[misc]
        if kind != "sqlite":
            return None
        try:
            if members:
                conn = sqlite3.connect(":memory:")
                conn.deserialize(agebackup.rollback_journal(members[agebackup.DB_MEMBER[kind]]))
            else:
                conn = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
            try:
                return set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
            finally:
                conn.close()
        except sqlite3.Error:
            return None  # a damaged backup: the integrity check that follows says so

    @staticmethod
    def newer_backup(source: Path, unknown: set[Migration], manifest: dict[str, Any], *, replaced: bool) -> str:
        values = {
            "file": source.name,
            "count": len(unknown),
            "names": named(unknown),
            "day": manifest.get("day") or _("the backup's day"),
        }
        made = ngettext(
            "%(file)s was made by a newer release of Concerted than this one: its database has %(count)d "
            "migration this code doesn't know (%(names)s).",
            "%(file)s was made by a newer release of Concerted than this one: its database has %(count)d "
            "migrations this code doesn't know (%(names)s).",
            len(unknown),
        )
        then = (
            _(
                "The database was replaced, and this code can't serve it. Install the release the backup's "
                "server ran (of %(day)s or later: git pull && make deploy), then run this restore again."
            )
            if replaced
            else _(
                "Nothing was restored. Install the release the backup's server ran (of %(day)s or later: "
                "git pull && make deploy), then run this restore again."
            )
        )
        return f"{made % values} {then % values}"

    def migrate_to_code(self, source: Path, manifest: dict[str, Any]) -> set[Migration]:
        """Bring a backup from an older release up to this code's schema, as deploy does after
        an upgrade: restored and left as it was, every page touching a newer table fails.
        Returns the migrations applied."""
        applied = set(MigrationRecorder(connection).applied_migrations())
        if unknown := applied - code_migrations():
            # Only an older PostgreSQL backup, whose migrations could not be read beforehand.
            raise CommandError(self.newer_backup(source, unknown, manifest, replaced=True))
        if code_migrations() <= applied:
            return set()
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except Exception as exc:  # whatever a migration raises: said in one line, with what to run
            raise CommandError(
                _(
                    "The backup was restored, but applying the migrations it lacks failed: %(error)s. "
                    "Run `concerted migrate` and read its error."
                )
                % {"error": exc}
            ) from None
        # A migration that rebuilt a participant table wrote its rows through the WAL:
        # fold it back, as after every erase (records.ensure_storage ran after migrate).
        erase.fold_wal()
        return set(MigrationRecorder(connection).applied_migrations()) - applied

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

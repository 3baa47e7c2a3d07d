"""`concerted restore FILE`: load a backup made by `concerted backup` into the
configured database (refuses a database that already has data unless --force).

An age-encrypted backup (`concerted backup --encrypted`) needs --identity, the
committee's backup key: it is decrypted into memory and loaded from there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core import agebackup, dbtools
from concerted.core.management.base import OrganizerCommand

from .backup import table_counts


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Restore a backup made by `concerted backup` into the configured database. Restore the "
        "invite-code key file too, or repeat signers will no longer be recognized."
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

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"]).expanduser().resolve()
        if not source.is_file():
            raise CommandError(_("%(file)s does not exist.") % {"file": source})
        db = connection.settings_dict
        members: dict[str, bytes] = {}
        try:
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
            existing = table_counts()
            if any(n > 0 for t, n in existing.items() if t != "django_migrations") and not options["force"]:
                raise CommandError(
                    _(
                        "The configured database already holds data; refusing to overwrite it. "
                        "Restore into a fresh database, or pass --force to replace it."
                    )
                )
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
        except (dbtools.DbToolError, OSError) as exc:
            raise CommandError(_("Restore failed: %(error)s") % {"error": exc}) from None
        self.stdout.write(
            _("Restored %(kind)s backup %(file)s: %(rows)d rows in %(tables)d tables.")
            % {"kind": kind, "file": source, "rows": sum(counts.values()), "tables": len(counts)}
        )
        manifest = json.loads(members["manifest.json"]) if "manifest.json" in members else dbtools.read_manifest(source)
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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".restored")
        dbtools.write_private(tmp, key)
        tmp.replace(path)
        self.stdout.write(_("The invite-code key was restored from the backup into %(file)s.") % {"file": path})

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from concerted.core import erase, mishaps, records, releases, serverzone, tick


class Command(BaseCommand):
    help = (
        "Release new public figures where a scheduled time has come and at least 5 new actions arrived, run "
        "the periodic jobs (lapse pledges whose deadline passed), then rewrite every participant table (and "
        "every election ballot table) in random order (the purge step: nothing left of deleted rows, no "
        "physical order following arrival). "
        "Safe to run as often as you like; run it every hour (deploy's concerted-tick.timer does): concerted tick. "
        "With --quick it only releases due figures and folds the database's WAL back into its file (cheap, no "
        "table rewrite): run that every five minutes, so a release time such as 16:30 is kept and the WAL holds "
        "minutes of commits, not hours (deploy's concerted-release.timer does)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Only release the public figures whose time has come and fold the WAL; no jobs, no table rewrite.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mishaps.require_schema()
        # Before anything moves: in another zone than the server's, a pledge would lapse
        # (its sealed pledges destroyed) while its page still takes pledges.
        serverzone.require_same_zone()
        released = releases.run_due()
        lines = [
            ngettext("%(n)d release of public figures.", "%(n)d releases of public figures.", len(released))
            % {"n": len(released)}
        ]
        if options["quick"]:
            # On SQLite the WAL keeps every commit's pages in arrival order (a survey
            # answer next to its written comment) until a truncating checkpoint; the
            # automatic one starts the file over and leaves older frames behind it.
            erase.fold_wal()
            if options["verbosity"] >= 1:
                self.stdout.write(lines[0])
            return
        # Jobs last: a job that destroys rows (a lapse) ends by folding the WAL into the
        # database file, and no write of this tick may come after that.
        for _name, job in tick.jobs():
            lines.extend(job())
        # The purge step comes last of all: it also finishes a purge an earlier erase
        # could not complete (a reader held the WAL).
        records.scramble_all()
        tables = len(records.unordered_models())
        lines.append(
            ngettext(
                "%(n)d participant and ballot table purged and rewritten.",
                "%(n)d participant and ballot tables purged and rewritten.",
                tables,
            )
            % {"n": tables}
        )
        if options["verbosity"] >= 1:
            for line in lines:
                self.stdout.write(line)

"""`concerted doctor`: check a live installation in plain words; exit 1 on a problem."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from concerted.ops import doctor


class Command(BaseCommand):
    help = (
        "Check this installation: public address, HTTPS, keys, file modes, backups, logs, clock, "
        "disk space, migrations. Says what is wrong in plain words; exits 1 on any problem."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--via",
            default="",
            help="Reach the public address through HOST:PORT instead of its DNS name (e.g. before DNS is set up)",
        )
        parser.add_argument("--cacert", default="", help="Trust this CA certificate when probing the public address")
        parser.add_argument("--min-free-mb", type=int, default=1024, help="Free disk space wanted (default 1024)")

    def handle(self, *args: Any, **options: Any) -> None:
        host, _sep, port = options["via"].rpartition(":")
        if options["via"] and not (host and port.isdigit()):
            raise CommandError(_("--via wants HOST:PORT, e.g. 127.0.0.1:443, got %(via)s.") % {"via": options["via"]})
        ctx = doctor.Context(via=options["via"], cacert=options["cacert"], min_free_mb=options["min_free_mb"])
        code = doctor.run(ctx, self.stdout.write)
        if code:
            sys.exit(code)

"""`concerted verify-election BOARD.json`: the standalone verifier (concerted/elections/verifier.py)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concerted.elections import verifier


class Command(BaseCommand):
    help = "Recompute an election from its downloaded board alone: proofs, one ballot per credential, tally."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board")

    def handle(self, *args: Any, **options: Any) -> None:
        out = io.StringIO()
        code = verifier.main([options["board"]], out=out)
        self.stdout.write(out.getvalue().rstrip("\n"))
        if code:
            raise CommandError("the board did not verify")

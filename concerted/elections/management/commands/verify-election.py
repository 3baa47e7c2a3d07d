"""`concerted verify-election BOARD.json [--tracker T ...]`: the standalone verifier
(concerted/elections/verifier.py)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concerted.elections import verifier


class Command(BaseCommand):
    help = (
        "Recompute an election from its downloaded board alone: proofs, one ballot per credential, tally. "
        "With --tracker, say whether that ballot is on the board and counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board")
        parser.add_argument(
            "--tracker",
            action="append",
            default=[],
            help="Your ballot's tracker (64 hexadecimal characters): it is looked up among the board's ballots "
            "(recomputed from each ballot). Repeat it for several; a tracker not on the board fails the run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = io.StringIO()
        argv = [options["board"]]
        for tracker in options["tracker"]:
            argv += ["--tracker", tracker]
        code = verifier.main(argv, out=out)
        self.stdout.write(out.getvalue().rstrip("\n"))
        if code:
            raise CommandError(
                "wrong arguments (see above)" if code == 2 else "the board did not verify, or a tracker is not on it"
            )

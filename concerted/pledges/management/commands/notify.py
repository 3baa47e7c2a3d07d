"""`concerted notify` is folded into messaging: the pledge's go-ahead is a message to the
audience "Pledgers, once the pledge is confirmed", composed on the server and sent with
`concerted send`. That path asks each pledger's consent, honours stops, drops repeats
and employer addresses, and keeps a journal. This command only says so, and sends
nothing: a second mailer that mails every contact could drift from those rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from concerted.core.management.base import OrganizerCommand

EXPLANATION = gettext_lazy(
    "concerted notify is now part of concerted send, which writes only to pledgers who agreed to messages "
    "and didn't stop them.\n"
    "1. On the pledge's dashboard, choose 'Write to the pledgers' (or open the campaign's messages and pick "
    "'Pledgers, once the pledge is confirmed'): the go-ahead text is filled in; check it and save.\n"
    "2. On this computer: concerted send MESSAGE_ID --server URL --token TOKEN --key committee.key "
    "(a dry run), then the same with --send.\n"
    "Nothing was sent."
)


class Command(OrganizerCommand):
    help = gettext_lazy("Replaced by concerted send: explains how to write to a pledge's pledgers. Sends nothing.")

    def run_from_argv(self, argv: list[str]) -> None:
        # The options of the old command are accepted and ignored, so a script that still
        # calls it gets this explanation rather than an "unrecognized arguments" error.
        super().run_from_argv(argv[:2] + [a for a in argv[2:] if a in ("-h", "--help")])

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(str(EXPLANATION))

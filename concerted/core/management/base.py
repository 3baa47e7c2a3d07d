"""The organizer's language on the command line, one mechanism for every command.

Django runs a management command in whatever language happens to be active (none, so
English, under manage.py). An organizer reads what `concerted send` or `concerted
reveal` prints in their own language: the one a command's `--language` names when it
means the organizer's, else the terminal's (the POSIX variables, in gettext's order),
English when that isn't one of ours. Every organizer-facing command subclasses
`OrganizerCommand`; nothing else is needed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

# gettext's order: LANGUAGE (a colon-separated list) before LC_ALL, LC_MESSAGES, LANG.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def supported(code: str | None) -> str | None:
    """One of settings.LANGUAGES for a POSIX locale or language code (es_ES.UTF-8 -> es)."""
    code = (code or "").split(".")[0].split("@")[0].replace("_", "-").lower()
    if not code or code in ("c", "posix"):
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def terminal_language(environ: Mapping[str, str] | None = None) -> str:
    from django.conf import settings

    environ = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if not value:
            continue
        for part in value.split(":"):
            found = supported(part)
            if found:
                return found
        if name != "LANGUAGE":
            # The first of LC_ALL, LC_MESSAGES, LANG that is set decides, as in gettext:
            # LC_ALL=C with LANG=de_DE means English.
            break
    return settings.LANGUAGE_CODE


class OrganizerCommand(BaseCommand):
    # The option that names the organizer's language, when the command has one; a command
    # whose --language means something else (reveal: the addressee's PDF) sets None.
    language_option: ClassVar[str | None] = "language"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse runs re.sub on the description: a lazy help text is made a str here,
        # in the language already active.
        parser.description = str(self.help) if self.help else None
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        # --help and argument errors are printed before execute() runs.
        with translation.override(terminal_language()):
            super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> Any:
        chosen = supported(options.get(self.language_option)) if self.language_option else None
        with translation.override(chosen or terminal_language()):
            return super().execute(*args, **options)

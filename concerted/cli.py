"""`concerted`: the one command-line entry point, a thin wrapper around the management
commands Concerted itself defines (concerted keys new, concerted reveal, concerted
backup, ...) plus `migrate`, which every upgrade needs.

Django's own commands (flush, dbshell, sqlflush, ...) are not offered here: wiping the
database must not be one typo away from `concerted reveal`. Operators who really need
one run `python manage.py` explicitly."""

from __future__ import annotations

import os
import re
import sys

from concerted.core.management.base import terminal_language

# Django commands an operator needs through `concerted`; nothing that deletes data.
DJANGO_COMMANDS = ("migrate", "check")

# Commands run on organizers', trustees' and members' own computers, never on the server
# (docs/MESSAGING.md, CARDS.md, INVITES_AND_FLYERS.md): settings then write no secret key
# file and no data folder there (settings.OWN_MACHINE). They open what they download or
# are given and write only the files asked for; a `var/` with a secret key would mark a
# committee laptop. `notify` only explains that `send` replaced it, where `send` runs.
OWN_MACHINE_COMMANDS = (
    "election",
    "verify-election",
    "keys",
    "reveal",
    "send",
    "codes",
    "wallchart",
    "notify",
)


def concerted_commands() -> dict[str, str]:
    """name -> app, for commands defined by Concerted's own apps."""
    from django.core.management import get_commands

    return {
        name: app for name, app in get_commands().items() if app.startswith("concerted.") or name in DJANGO_COMMANDS
    }


def summary(app: str, name: str) -> str:
    """A command's help text up to its first full stop or colon: what it is for, in a line."""
    from django.core.management import load_command_class

    text = " ".join(str(load_command_class(app, name).help).split())
    first = re.split(r"(?<=[a-z0-9)])[.:;] ", text, maxsplit=1)[0].rstrip(".:")
    return first if len(first) <= 90 else first[:89].rstrip() + "…"


def usage(commands: dict[str, str]) -> str:
    from django.utils.translation import gettext as _

    lines = ["Usage: concerted COMMAND [options]  (concerted COMMAND --help for details)", "", "Commands:"]
    # deploy runs before Django (on a fresh server), so it is not among the commands.
    described = {
        **{name: summary(app, name) for name, app in commands.items()},
        "deploy": _("Install or upgrade Concerted on this server (systemd units, Caddy, tor)"),
    }
    width = max(len(name) for name in described)
    lines += [f"  {name.ljust(width)}  {described[name]}" for name in sorted(described)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    if (sys.argv[1:2] if argv is None else argv[:1]) == ["deploy"]:
        # Before Django: deploy runs on a fresh server, with no settings or database yet.
        from concerted.ops import deploy

        sys.exit(deploy.main(sys.argv[2:] if argv is None else argv[1:]))
    first = sys.argv[1:2] if argv is None else argv[:1]
    if first and first[0] in OWN_MACHINE_COMMANDS:
        os.environ["CONCERTED_OWN_MACHINE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        # Settings that refuse to load are exactly what `concerted doctor` is for: say
        # which check failed, in its words, instead of a traceback.
        if (sys.argv[1:2] if argv is None else argv[:1]) == ["doctor"]:
            check = "secret-key" if "SECRET_KEY" in str(exc) else "settings"
            sys.stdout.write(f"PROBLEM {check}: {exc}\n")
            raise SystemExit(1) from None
        # A bad value in the environment: the operator needs its name, not a traceback.
        sys.stderr.write(f"concerted: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line
    from django.utils import translation
    from django.utils.translation import gettext as _

    # What the organizer reads speaks their terminal's language (LANGUAGE, LC_ALL,
    # LC_MESSAGES, LANG: the order gettext uses), English when it isn't one of ours.
    translation.activate(terminal_language())
    args = list(sys.argv[1:] if argv is None else argv)
    commands = concerted_commands()
    if not args or args[0] in ("help", "-h", "--help"):
        sys.stdout.write(usage(commands))
        return
    if args[0] not in commands:
        sys.stderr.write(f"concerted: unknown command {args[0]!r}.\n\n" + usage(commands))
        raise SystemExit(2)
    try:
        execute_from_command_line(["concerted", *args])
    except Exception as exc:
        from concerted.core import mishaps

        message = mishaps.explain(exc)
        if message is None or "--traceback" in args:
            raise
        sys.stderr.write(f"concerted {args[0]}: {message}\n")
        sys.stderr.write(_("(Add --traceback to see the details.)") + "\n")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

"""`concerted`: the one command-line entry point, a thin wrapper around Django's
management commands (concerted keys new, concerted reveal, concerted backup, ...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["deploy"]:
        # Before Django: deploy runs on a fresh server, with no settings or database yet.
        from concerted.ops import deploy

        sys.exit(deploy.main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["concerted", *sys.argv[1:]])


if __name__ == "__main__":
    main()

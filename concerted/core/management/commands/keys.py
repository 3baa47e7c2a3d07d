from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from nacl.public import PrivateKey

from concerted.core import keys
from concerted.core.management.base import OrganizerCommand


class Command(OrganizerCommand):
    help = gettext_lazy("Make the committee keypair on this computer: concerted keys new --out DIR")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["new", "show-public"])
        parser.add_argument("--out", default=".", help=gettext_lazy("Folder for committee.key and committee.pub"))
        parser.add_argument("--name", default="committee", help=gettext_lazy("File name stem (default: committee)"))
        parser.add_argument("--key", help=gettext_lazy("With show-public: the private key file"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show-public":
            if not options["key"]:
                raise CommandError(_("show-public needs --key FILE"))
            try:
                private = keys.parse_private(Path(options["key"]).read_text())
            except (OSError, keys.KeyFormatError) as exc:
                raise CommandError(_("Can't read the private key: %(error)s") % {"error": exc}) from None
            self.stdout.write(keys.format_public(private.public_key))
            return
        out = Path(options["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        private_path = out / f"{options['name']}.key"
        public_path = out / f"{options['name']}.pub"
        if private_path.exists() or public_path.exists():
            raise CommandError(
                _("%(private)s or %(public)s already exists; refusing to overwrite a key.")
                % {"private": private_path, "public": public_path}
            )
        private = PrivateKey.generate()
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(keys.format_private(private) + "\n")
        public_path.write_text(keys.format_public(private.public_key) + "\n")
        self.stdout.write(
            _(
                "Private key: %(private)s  (keep it secret; give one copy to a second organizer; never upload it)\n"
                "Public key:  %(public)s  (upload this one to the campaign's key page)\n"
                "If every copy of the private key is lost, the sealed names can never be read."
            )
            % {"private": private_path, "public": public_path}
        )

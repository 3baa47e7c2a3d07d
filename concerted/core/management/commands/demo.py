from __future__ import annotations

import os
import random
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from nacl.public import PrivateKey

from concerted.core import demo, keys, releases

DEMO_CAMPAIGN = "Acme Workers for Privacy"
DEMO_ORGANIZER = "organizer"


BASE_PLACEHOLDER = "{public-address}"


class Command(BaseCommand):
    help = "Load the demo campaign (once) and print the organizer login and the demo key's location."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--on-a-deployed-server",
            action="store_true",
            help=gettext_lazy("Load the demo even though deploy installed this server (it adds a demo campaign)"),
        )

    def refuse_a_real_install(self, options: dict[str, Any]) -> None:
        """The demo makes an account with a printed password and leaves a campaign key in
        the data folder: never on a real installation by accident."""
        if settings.INSTALL_FILE and not options["on_a_deployed_server"]:
            raise CommandError(
                _(
                    "This server was installed by deploy (%(file)s): the demo would add a campaign and an "
                    "'organizer' account with a printed password. Pass --on-a-deployed-server if you really want it."
                )
                % {"file": settings.INSTALL_FILE}
            )
        if get_user_model().objects.filter(username=DEMO_ORGANIZER).exists():
            # Not the demo's: its campaign does not exist yet, so a real person made it.
            raise CommandError(
                _(
                    "An account named %(name)s already exists and the demo did not make it: the demo would "
                    "take it over (new password, a demo campaign). Nothing was changed."
                )
                % {"name": repr(DEMO_ORGANIZER)}
            )

    def handle(self, *args: Any, **options: Any) -> None:
        from concerted.campaigns.models import Campaign, Segment

        key_dir = Path(settings.DATA_DIR) / "demo-keys"
        private_path = key_dir / "committee.key"
        login_path = Path(settings.DATA_DIR) / "demo-login.txt"
        User = get_user_model()

        if not Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
            self.refuse_a_real_install(options)
            key_dir.mkdir(parents=True, exist_ok=True)
            private = PrivateKey.generate()
            private_path.unlink(missing_ok=True)
            fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(keys.format_private(private) + "\n")
            (key_dir / "committee.pub").write_text(keys.format_public(private.public_key) + "\n")
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                organizer = User(username=DEMO_ORGANIZER)
                organizer.set_password(password)
                organizer.save()
                campaign = Campaign.objects.create(
                    name=DEMO_CAMPAIGN,
                    committee_name="The Acme Workers Organizing Committee",
                    employer_name="Acme Corp.",
                    employer_domains="acme.com\nacme-corp.com",
                    unit_size=400,
                    public_key=keys.format_public(private.public_key),
                )
                campaign.organizers.add(organizer, through_defaults={"role": "owner"})
                for kind, labels in {
                    "team": ["Platform", "Support", "Data", "Design", "Sales"],
                    "site": ["Berlin", "Lisbon", "Remote"],
                    "shift": ["Day", "Night"],
                }.items():
                    for label in labels:
                        Segment.objects.create(campaign=campaign, kind=kind, label=label)
                context = demo.DemoContext(
                    campaign=campaign,
                    organizer=organizer,
                    private_key=private,
                    rng=random.Random(options["seed"]),
                    base_url=settings.PUBLIC_BASE_URL,
                )
                lines = []
                for name, loader in demo.loaders():
                    lines += [f"  {name}: {line}" for line in loader(context)]
                # Nobody watched the demo rows arrive: release them so public pages show them.
                released = releases.release_campaign(campaign)
                lines.append(
                    "  releases: "
                    + ngettext(
                        "public figures released for %(n)d page", "public figures released for %(n)d pages", released
                    )
                    % {"n": released}
                )
            fd = os.open(login_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"{DEMO_ORGANIZER}\n{password}\n")
            # Saved with a placeholder: the next `make run` may serve on another port.
            (Path(settings.DATA_DIR) / "demo-summary.txt").write_text(
                "\n".join(lines).replace(settings.PUBLIC_BASE_URL, BASE_PLACEHOLDER) + "\n"
            )
        username, password = login_path.read_text().split("\n")[:2]
        summary = (
            (Path(settings.DATA_DIR) / "demo-summary.txt")
            .read_text()
            .replace(BASE_PLACEHOLDER, settings.PUBLIC_BASE_URL)
        )
        self.stdout.write(
            "\nConcerted demo\n"
            f"  Open:            {settings.PUBLIC_BASE_URL}/\n"
            f"  Organizer login: {settings.PUBLIC_BASE_URL}/accounts/login/  user '{username}', password '{password}'\n"
            f"  Demo private key (on this machine only): {private_path}\n"
            f"{summary}"
        )

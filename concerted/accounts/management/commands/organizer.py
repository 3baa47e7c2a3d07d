from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.management.base import OrganizerCommand


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Create an organizer account, reset its password, or turn off its two-factor sign-in: "
        "concerted organizer add|password|reset-2fa USERNAME"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["add", "password", "reset-2fa"],
            help=gettext_lazy(
                "add: a new account; password: a new password; reset-2fa: turn two-factor sign-in off "
                "(a lost phone and lost recovery codes), to be set up again after signing in"
            ),
        )
        parser.add_argument("username")
        parser.add_argument(
            "--password-env",
            default="",
            help=gettext_lazy("Read the password from this environment variable (for scripts)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"]
        if options["action"] == "reset-2fa":
            self.reset_two_factor(username)
            return
        if options["password_env"]:
            if options["password_env"] not in os.environ:
                raise CommandError(
                    _("The environment variable %(name)s is not set: it should hold the password.")
                    % {"name": options["password_env"]}
                )
            password = os.environ[options["password_env"]]
        else:
            try:
                password = getpass.getpass(_("Password: "))
                if password != getpass.getpass(_("Again: ")):
                    raise CommandError(_("The passwords don't match."))
            except EOFError:
                # Run from a script or over a pipe: nowhere to type the password.
                raise CommandError(
                    _("No terminal to type the password on: pass --password-env NAME, with the password in NAME.")
                ) from None
        user = User.objects.filter(username=username).first()
        if options["action"] == "add" and user is not None:
            raise CommandError(
                _("Organizer %(username)s already exists; use 'password' to reset it.") % {"username": repr(username)}
            )
        if options["action"] == "password" and user is None:
            raise CommandError(_("No organizer %(username)s.") % {"username": repr(username)})
        if user is None:
            # The rules the web's join form applies: letters, digits and @.+-_, at most 150.
            try:
                User._meta.get_field("username").clean(username, None)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            user = User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(_("Organizer %(username)s saved.") % {"username": username})

    def reset_two_factor(self, username: str) -> None:
        """What turning it off on the web does (the authenticator and every recovery
        code go), for an organizer who can't give the code that asks for. Here, in the
        `concerted` command, it reads the installation's own settings and database."""
        from concerted.accounts.models import RecoveryCode, TwoFactor

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No organizer %(username)s.") % {"username": repr(username)})
        with transaction.atomic():
            removed, _detail = TwoFactor.objects.filter(user=user).delete()
            RecoveryCode.objects.filter(user=user).delete()
        if removed:
            self.stdout.write(
                _(
                    "Two-factor sign-in is off for %(username)s: they sign in with their password, then set it up "
                    'again under "Two-factor" (a campaign that requires it asks them to).'
                )
                % {"username": username}
            )
        else:
            self.stdout.write(
                _("Organizer %(username)s has no two-factor sign-in: nothing to reset.") % {"username": username}
            )

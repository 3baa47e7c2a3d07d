from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "concerted.messaging"
    label = "messaging"

    def ready(self) -> None:
        from concerted.campaigns import overview

        overview.register_action(_("Write to participants"), "messaging:list")

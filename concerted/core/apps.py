from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "concerted.core"
    label = "core"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            sentonce,
            tick,
        )
        from .records import ensure_storage

        # After every migrate, whatever app ran: a migration that altered a participant
        # table on SQLite rebuilt it as an ordinary rowid table.
        post_migrate.connect(ensure_storage, dispatch_uid="concerted.records.ensure_storage")
        # Answers to repeated forms are kept for the day they were sent.
        tick.register("core.sentonce", sentonce.forget_old)

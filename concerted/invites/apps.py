from django.apps import AppConfig


class InvitesConfig(AppConfig):
    name = "concerted.invites"
    label = "invites"

    def ready(self) -> None:
        from concerted.core import reveal

        from . import usage
        from .codes import SEALED_KIND

        usage.connect()

        # A sealed code names its target too: checked when the committee opens a batch.
        reveal.register_record_ids(SEALED_KIND, ("target",))

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "concerted.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from operator import attrgetter

        from concerted.core import pagecache

        from .models import Segment, _bump_public_version

        pagecache.changed.connect(_bump_public_version, dispatch_uid="concerted.campaigns.public_version")
        # Group choices appear on every participant form.
        pagecache.watch(Segment, attrgetter("campaign_id"))

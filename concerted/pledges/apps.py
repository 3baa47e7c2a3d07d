from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "concerted.pledges"
    label = "pledges"

    def ready(self) -> None:
        from concerted.campaigns import overview

        from .overview import pledge_items

        overview.register(pledge_items)

        from concerted.core import releases, tick

        from .models import RELEASE
        from .ticking import lapse_due_pledges

        releases.register(RELEASE)
        tick.register("pledges.lapse", lapse_due_pledges)
        overview.register_action(_("Start a pledge"), "pledges:new")

        from concerted.core import reveal

        from .deliverable import pledge_pdf
        from .models import PLEDGE_KIND

        reveal.register_pdf(PLEDGE_KIND, pledge_pdf)
        reveal.register_export_path("pledge", "/o/pledges/{id}/export.json")
        reveal.register_confirm_path("pledge", "/o/pledges/{id}/confirm.json")

        from concerted.core import demo

        from . import demo as pledge_demo

        demo.register(20, "pledges", pledge_demo.load)

        from concerted.core import audiences

        from . import audience

        audiences.register(audience.ALL)
        audiences.register(audience.CONFIRMED)

        # The expired-form page shows what was sent under this form's labels.
        from concerted.core import refused, subjects

        from .forms import PledgeForm
        from .models import Pledge

        refused.register_form("pledges:pledge", lambda slug: PledgeForm(pledge=subjects.by_slug(Pledge, slug)))

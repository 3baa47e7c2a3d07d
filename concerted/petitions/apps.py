from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "concerted.petitions"
    label = "petitions"

    def ready(self) -> None:
        from concerted.campaigns import overview

        from .overview import petition_items

        overview.register(petition_items)

        from concerted.core import releases

        from .stats import RELEASE

        releases.register(RELEASE)

        from concerted.core import reveal

        from .deliverable import petition_pdf
        from .models import SIGNATURE_KIND

        reveal.register_pdf(SIGNATURE_KIND, petition_pdf)
        reveal.register_export_path("petition", "/o/petitions/{id}/export.json")

        from concerted.core import demo

        from . import demo as petition_demo

        demo.register(10, "petitions", petition_demo.load)

        from concerted.core import audiences

        from . import audience

        audiences.register(audience.SIGNERS)

        # The expired-form page shows what was sent under this form's labels.
        from concerted.core import refused, subjects

        from .forms import SignForm
        from .models import Petition

        refused.register_form("petitions:sign", lambda slug: SignForm(petition=subjects.by_slug(Petition, slug)))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "concerted.cards"
    label = "cards"

    def ready(self) -> None:
        from concerted.campaigns import overview
        from concerted.core import demo, reveal

        from . import demo as cards_demo
        from .deliverable import card_problems, cards_pdf
        from .models import CARD_KIND, NOTE_KIND, ROSTER_KIND
        from .overview import unit_items

        overview.register(unit_items)

        from concerted.core import releases

        from .stats import RELEASE

        releases.register(RELEASE)
        overview.register_action(_("Start a union card drive"), "cards:new")
        reveal.register_export_path("cards", "/o/units/{id}/cards/export.json")
        reveal.register_export_path("roster", "/o/units/{id}/roster/export.json")
        reveal.register_export_path("notes", "/o/units/{id}/notes/export.json")
        reveal.register_pdf(CARD_KIND, cards_pdf, every_row=True)  # a repeat signer's latest card
        reveal.register_check(CARD_KIND, card_problems)
        reveal.register_record_ids(NOTE_KIND, ("person",))
        reveal.register_file_prefix(ROSTER_KIND, "roster")
        reveal.register_file_prefix(NOTE_KIND, "notes")
        demo.register(40, "cards", cards_demo.load)

        from concerted.core import audiences

        from . import audience

        audiences.register(audience.SIGNERS)
        audiences.register(audience.ROSTER)

        # The expired-form page shows what was sent under this form's labels.
        from concerted.core import refused, subjects

        from .forms import CardForm
        from .models import BargainingUnit

        refused.register_form("cards:sign", lambda slug: CardForm(unit=subjects.by_slug(BargainingUnit, slug)))

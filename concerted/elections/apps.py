from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "concerted.elections"
    label = "elections"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from concerted.campaigns import overview

        from .overview import election_items

        overview.register(election_items)
        overview.register_action(_("Start a secret ballot"), "elections:new")

        from concerted.core import demo

        from . import demo as election_demo

        demo.register(70, "elections", election_demo.load)

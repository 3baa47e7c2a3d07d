from django.apps import AppConfig


class FlyersConfig(AppConfig):
    name = "concerted.flyers"
    label = "flyers"

    def ready(self) -> None:
        from . import registry

        registry.register_all()

        from concerted.core import demo

        from . import demo as flyer_demo

        demo.register(90, "flyers", flyer_demo.load)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerted.core"
    label = "core"

from django.apps import AppConfig


class BargainingConfig(AppConfig):
    name = "concerted.bargaining"
    label = "bargaining"

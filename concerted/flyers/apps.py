from django.apps import AppConfig


class FlyersConfig(AppConfig):
    name = "concerted.flyers"
    label = "flyers"

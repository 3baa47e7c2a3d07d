from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "concerted.cards"
    label = "cards"

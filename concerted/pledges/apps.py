from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "concerted.pledges"
    label = "pledges"

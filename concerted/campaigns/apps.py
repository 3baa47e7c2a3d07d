from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "concerted.campaigns"
    label = "campaigns"

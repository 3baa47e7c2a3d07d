from django.apps import AppConfig


class InvitesConfig(AppConfig):
    name = "concerted.invites"
    label = "invites"

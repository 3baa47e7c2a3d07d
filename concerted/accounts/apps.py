from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "concerted.accounts"
    label = "accounts"

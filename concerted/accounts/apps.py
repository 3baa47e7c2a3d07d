from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "concerted.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import sessions  # noqa: F401  (connects the sign-in/out receivers)

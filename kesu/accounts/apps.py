from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kesu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from kesu.accounts import signals  # noqa: F401  (registers the receivers)

from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "kesu.compensation"
    label = "compensation"

    def ready(self) -> None:
        from kesu.compensation import tasks  # noqa: F401  (registers the app's background tasks)

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "kesu.supervision"
    label = "supervision"

    def ready(self) -> None:
        from kesu.supervision import tasks  # noqa: F401  (registers the app's background tasks)

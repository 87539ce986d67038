from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "kesu.desk"
    label = "desk"

    def ready(self) -> None:
        from kesu.desk import tasks  # noqa: F401  (registers the app's background tasks)

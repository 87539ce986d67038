from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "kesu.incidents"
    label = "incidents"

    def ready(self) -> None:
        from kesu.incidents import tasks  # noqa: F401  (registers the app's background tasks)

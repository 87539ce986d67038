from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "kesu.imports"
    label = "imports"

    def ready(self) -> None:
        from kesu.imports import tasks  # noqa: F401  (registers the app's background task)

from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "kesu.resolution"
    label = "resolution"

    def ready(self) -> None:
        from kesu.resolution import tasks  # noqa: F401  (registers the app's background tasks)

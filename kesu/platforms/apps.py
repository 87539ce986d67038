from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "kesu.platforms"
    label = "platforms"

    def ready(self) -> None:
        from kesu.platforms import tasks  # noqa: F401  (registers the app's background tasks)

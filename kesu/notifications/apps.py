from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kesu.notifications"
    label = "notifications"

    def ready(self) -> None:
        from kesu.notifications import tasks  # noqa: F401  (registers the app's background tasks)

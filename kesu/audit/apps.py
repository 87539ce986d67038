from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kesu.audit"
    label = "audit"

    def ready(self) -> None:
        from kesu.audit import tasks  # noqa: F401  (registers the app's background tasks)

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kesu.reports"
    label = "reports"

    def ready(self) -> None:
        # Imported for what it registers: the scheduled reports task.
        from kesu.reports import tasks  # noqa: F401

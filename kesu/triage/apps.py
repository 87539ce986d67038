from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "kesu.triage"
    label = "triage"

    def ready(self) -> None:
        from kesu.triage import tasks  # noqa: F401  (registers the app's background tasks)

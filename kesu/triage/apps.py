from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "kesu.triage"
    label = "triage"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kesu.audit"
    label = "audit"

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running an installation: demo data, backup and restore, metrics, structured logs."""

    name = "kesu.operations"
    label = "operations"

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kesu.customers"
    label = "customers"

    def ready(self) -> None:
        from kesu.customers import tasks  # noqa: F401  (registers the retention job)

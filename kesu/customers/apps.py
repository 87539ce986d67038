from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kesu.customers"
    label = "customers"

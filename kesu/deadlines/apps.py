from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "kesu.deadlines"
    label = "deadlines"

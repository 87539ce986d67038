from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "kesu.desk"
    label = "desk"

from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "kesu.resolution"
    label = "resolution"

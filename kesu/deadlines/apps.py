from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DeadlinesConfig(AppConfig):
    name = "kesu.deadlines"
    label = "deadlines"
    verbose_name = "时限 Deadlines"

    def ready(self) -> None:
        # Imported for what they register: the calendar check and the sweep task.
        from kesu.deadlines import checks, tasks  # noqa: F401
        from kesu.deadlines.setup import on_post_migrate

        # Reference data (defaults, presets, official calendar years), after migrate and flush.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="kesu.deadlines.seed")

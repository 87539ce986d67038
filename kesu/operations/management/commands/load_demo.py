from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from kesu.core import clock
from kesu.operations.demo import demo_load


class Command(BaseCommand):
    help = "Create the demo organisation (users, complaints) if the database holds no complaints."

    def handle(self, *args: Any, **options: Any) -> None:
        generated = demo_load(password=os.environ.get("KESU_ADMIN_PASSWORD"), now=clock.now())
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo users admin, agent, supervisor, manager, handler, gm, auditor; password: {generated}"
                )
            )
        else:
            self.stdout.write("Demo organisation ready (password from KESU_ADMIN_PASSWORD).")

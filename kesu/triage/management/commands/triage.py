"""`kesu triage train` trains a new classifier version on the closed complaints; `kesu triage
assess` assesses the escalation risk of the open complaints; `kesu triage versions` lists them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kesu.core import clock


class Command(BaseCommand):
    help = "Triage intelligence: train the classifier, assess escalation risk, list versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["train", "assess", "versions"])

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "train":
            from kesu.triage.intelligence import NotEnoughData, train_classifier

            try:
                row = train_classifier(actor=None, now=clock.now())
            except NotEnoughData as exc:
                raise CommandError(exc.message) from exc
            metrics = " ".join(f"{k}={v}" for k, v in sorted(row.metrics.items()))
            self.stdout.write(
                f"classifier v{row.version}: {row.samples} complaints, {row.overrides} corrected; {metrics}"
            )
        elif what == "assess":
            from kesu.triage.risk import sweep

            total = 0
            for _round in range(1000):
                done = sweep(now=clock.now())
                total += done
                if not done:
                    break
            self.stdout.write(f"assessed {total} open complaints")
        else:
            from kesu.triage.models import ClassifierVersion

            for row in ClassifierVersion.objects.defer("blob").order_by("-version"):
                self.stdout.write(f"v{row.version} {row.trained_at:%Y-%m-%d %H:%M} {row.samples} {row.metrics}")

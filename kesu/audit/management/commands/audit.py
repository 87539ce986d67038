"""`kesu audit verify` checks the chain, its anchors and the complaints against it (and anchors an
intact head); `kesu audit seal` links pending records; `kesu audit anchor` copies the head out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.audit.services import audit_anchor, audit_seal, audit_verify
from kesu.core import clock


class Command(BaseCommand):
    help = "Audit trail: verify (report the first tampered record), seal or anchor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("operation", choices=["verify", "seal", "anchor"])
        parser.add_argument("--no-seal", action="store_true", help="verify without sealing pending records first")
        parser.add_argument(
            "--no-anchor", action="store_true", help="verify only: do not append the verified head to the anchor file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "seal":
            self.stdout.write(f"sealed {audit_seal()} record(s)")
            return
        if options["operation"] == "anchor":
            written = audit_anchor(now=clock.now())
            self.stdout.write("anchored the chain head" if written else "the head is already anchored")
            return
        if not options["no_seal"]:
            audit_seal()
        result = audit_verify(anchor=not options["no_anchor"])
        if result.ok:
            self.stdout.write(f"OK: {result.checked} record(s) verified, {result.unsealed} pending")
            return
        if result.complaint:
            raise CommandError(f"TAMPERED: {result.reason}")
        raise CommandError(
            f"TAMPERED: record id={result.first_bad_id} seq={result.first_bad_seq}: {result.reason} "
            f"({result.checked} record(s) before it verified)"
        )

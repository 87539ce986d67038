"""`kesu personal_data export|erase|holds --customer ID --as USERNAME`: PIPL requests by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.accounts.models import User
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.customers.models import Customer
from kesu.customers.privacy import customer_erase, customer_export, legal_holds
from kesu.customers.services import normalize_email, normalize_phone


class Command(BaseCommand):
    help = "Export or erase a customer's personal data (PIPL), or list what holds it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("operation", choices=["export", "erase", "holds"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--customer", type=int, help="customer id")
        who.add_argument("--phone")
        who.add_argument("--email")
        parser.add_argument("--as", dest="actor", required=True, help="username of the manager or admin acting")
        parser.add_argument("--output", help="export: write the JSON here instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['actor']!r}")
        customer_id = self._customer_id(options)
        now = clock.now()
        try:
            if options["operation"] == "export":
                text = json.dumps(
                    customer_export(actor=actor, customer_id=customer_id, now=now), ensure_ascii=False, indent=1
                )
                if options["output"]:
                    Path(options["output"]).write_text(text + "\n", encoding="utf-8")
                    self.stdout.write(f"exported customer {customer_id} to {options['output']}")
                else:
                    self.stdout.write(text)
            elif options["operation"] == "holds":
                holds = legal_holds(Customer.objects.get(pk=customer_id), now=now)
                for hold in holds:
                    self.stdout.write(hold.reason)
                if not holds:
                    self.stdout.write("no legal hold: the personal data may be erased")
            else:
                erased = customer_erase(actor=actor, customer_id=customer_id, now=now)
                self.stdout.write(f"erased customer {erased.customer_id} ({len(erased.complaints)} complaint(s))")
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _customer_id(self, options: dict[str, Any]) -> int:
        if options["customer"]:
            return int(options["customer"])
        try:
            found = (
                Customer.objects.filter(phone=normalize_phone(options["phone"])).first()
                if options["phone"]
                else Customer.objects.filter(email=normalize_email(options["email"])).first()
            )
        except ValueError as exc:
            raise CommandError("the phone number or e-mail address is not valid") from exc
        if found is None:
            raise CommandError("no customer with that phone number or e-mail address")
        return found.pk

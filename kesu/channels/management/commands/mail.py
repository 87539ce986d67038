"""`kesu mail poll [--watch]`: read the complaint mailbox (kesu.channels.mail)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kesu.channels.mail import mail_poll, mailbox_config, mailbox_idle


class Command(BaseCommand):
    help = "Read the complaint mailbox over IMAP: new mail becomes complaints, replies join theirs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["poll"])
        parser.add_argument(
            "--watch", action="store_true", help="Keep going: wait with IMAP IDLE where offered, else poll each minute."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not mailbox_config().configured:
            raise CommandError("No mailbox configured: set KESU_MAIL_IMAP_HOST and KESU_MAIL_IMAP_USER.")
        while True:
            result = mail_poll()
            self.stdout.write(f"fetched {result['fetched']}, processed {result['processed']}")
            if not options["watch"]:
                return
            if not mailbox_idle(timeout=600):
                continue

from __future__ import annotations

import os

from django.utils import timezone

from kesu.core import clock
from kesu.core.tasks import task

MAIL_POLL_SECONDS = float(os.environ.get("KESU_MAIL_POLL_SECONDS", "60"))
DIGEST_HOUR = int(os.environ.get("KESU_ROBOT_DIGEST_HOUR", "8"))


@task("poll_mailbox", every=MAIL_POLL_SECONDS)
def poll_mailbox() -> dict[str, int]:
    """The complaint mailbox, when one is configured (kesu.channels.mail)."""
    from kesu.channels.mail import inbound_process, mail_poll, mailbox_config

    if not mailbox_config().configured:
        return {"fetched": 0, "processed": inbound_process(now=clock.now())}
    return mail_poll()


@task("robot_daily_digest", every=900.0)
def robot_daily_digest() -> int:
    """Once a day, from KESU_ROBOT_DIGEST_HOUR (local time): the digest of each robot that posts one."""
    from kesu.channels.robots import daily_digest

    now = clock.now()
    if timezone.localtime(now).hour < DIGEST_HOUR:
        return 0
    return daily_digest(now=now)

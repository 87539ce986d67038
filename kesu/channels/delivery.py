"""The outbox channels this app adds: webhook deliveries and robot messages."""

from __future__ import annotations


def register_outbox_channels() -> None:
    from kesu.channels.robots import CHANNEL as ROBOT
    from kesu.channels.robots import send_robot
    from kesu.channels.webhooks import CHANNEL as WEBHOOK
    from kesu.channels.webhooks import send_webhook
    from kesu.notifications.services import register_outbox_channel

    register_outbox_channel(WEBHOOK, send_webhook)
    register_outbox_channel(ROBOT, send_robot)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "kesu.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from kesu.channels import tasks  # noqa: F401  (registers the app's background tasks)
        from kesu.channels.delivery import register_outbox_channels

        register_outbox_channels()

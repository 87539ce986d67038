"""Background tasks of the platforms app: apply WeChat Pay notifications, read the platform's
complaint list, send Kesu's answers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kesu.core import clock
from kesu.core.tasks import task
from kesu.platforms import wechatpay
from kesu.platforms.wechat_services import deliver_platform_pushes, wechat_pull, wechat_sync_pending

# The platform answers a list query of at most 30 days.
PULL_DAYS_MAX = 30


@task("sync_wechat_complaints", every=300.0)
def sync_wechat_complaints() -> int:
    return wechat_sync_pending(now=clock.now())


@task("pull_wechat_complaints", every=settings.KESU_WECHATPAY_PULL_SECONDS, when=wechatpay.configured)
def pull_wechat_complaints() -> int:
    """The platform's list of the last KESU_WECHATPAY_PULL_DAYS days (today included): a complaint
    whose notification was lost arrives here; one already in Kesu is only brought up to date."""
    if not wechatpay.configured():
        return 0
    now = clock.now()
    today = timezone.localdate(now)
    days = min(max(settings.KESU_WECHATPAY_PULL_DAYS, 1), PULL_DAYS_MAX)
    return wechat_pull(begin=today - dt.timedelta(days=days - 1), end=today, now=now)


@task("push_platform_answers", every=60.0)
def push_platform_answers() -> int:
    return deliver_platform_pushes(now=clock.now())

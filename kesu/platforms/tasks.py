"""Background tasks of the platforms app: apply WeChat Pay notifications, send Kesu's answers."""

from __future__ import annotations

from kesu.core import clock
from kesu.core.tasks import task
from kesu.platforms.wechat_services import deliver_platform_pushes, wechat_sync_pending


@task("sync_wechat_complaints", every=300.0)
def sync_wechat_complaints() -> int:
    return wechat_sync_pending(now=clock.now())


@task("push_platform_answers", every=60.0)
def push_platform_answers() -> int:
    return deliver_platform_pushes(now=clock.now())

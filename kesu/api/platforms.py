"""The WeChat Pay consumer complaint notification callback (消费者投诉 2.0, docs/platforms.md).

It speaks the platform's protocol, not Kesu's: the platform signs the request (Wechatpay-*
headers) and expects 204 on success, or a 4xx/5xx with `{"code": "FAIL", "message"}`, on which
it sends the notification again later. A request whose signature does not verify stores nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from kesu.core import clock
from kesu.platforms import wechatpay
from kesu.platforms.wechat_services import wechat_notification_receive

logger = logging.getLogger(__name__)
router = Router(tags=["platforms"])


@router.post("/platforms/wechatpay/notifications", auth=None, response={204: None, 401: Any, 404: Any})
def wechatpay_notification(request: HttpRequest) -> HttpResponse:
    """A new or changed WeChat Pay consumer complaint (the platform's signed notification)."""
    if not wechatpay.configured():  # no connector here: the address answers as if it did not exist
        return JsonResponse({"code": "FAIL", "message": "not configured"}, status=404)
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("wechatpay-")}
    try:
        wechat_notification_receive(headers=headers, body=request.body, now=clock.now())
    except wechatpay.SignatureInvalid as exc:
        logger.warning("WeChat Pay notification refused: %s", exc)
        return JsonResponse({"code": "FAIL", "message": "signature verification failed"}, status=401)
    return HttpResponse(status=204)

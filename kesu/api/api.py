from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status

from kesu.accounts.services import token_issue
from kesu.api import complaints, deadlines, errors, letters, privacy, public, resolution, supervision
from kesu.api.auth import BearerToken
from kesu.api.schemas import ErrorOut, HealthOut, TokenIn, TokenOut
from kesu.core import clock
from kesu.core.ratelimit import client_ip, hit

api = NinjaAPI(
    title="Kesu (客诉) API",
    version="1",
    description="Complaint handling: registration, numbering, lifecycle and audit.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)

system = Router(tags=["system"])


@system.get("/health", response=HealthOut, auth=None)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@system.post("/auth/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut, 422: ErrorOut}, auth=None)
def token(request: HttpRequest, body: TokenIn) -> Any:
    retry = hit("token", client_ip(request), settings.KESU_LOGIN_RATE_LIMIT)
    if retry is not None:
        return Status(429, errors.error_body([(None, _("Too many sign-in attempts; try again in %(seconds)d seconds.")
                                               % {"seconds": retry})]))
    issued = token_issue(username=body.username, password=body.password, now=clock.now())
    if issued is None:
        return Status(401, errors.error_body([(None, _("Wrong username or password."))]))
    return Status(200, {"token": issued})


api.add_router("", system)
api.add_router("", complaints.router)
api.add_router("", public.router)
api.add_router("", deadlines.router)
api.add_router("", letters.router)
api.add_router("", supervision.router)
api.add_router("", resolution.router)
api.add_router("", privacy.router)

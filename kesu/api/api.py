from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status

from kesu.accounts import throttle
from kesu.accounts.services import token_issue, token_revoke, tokens_of
from kesu.api import complaints, deadlines, errors, letters, privacy, public, resolution, supervision, webhooks
from kesu.api.access import AuthedRequest
from kesu.api.auth import BearerToken
from kesu.api.rendering import Renderer
from kesu.api.schemas import ErrorOut, HealthOut, TokenIn, TokenInfoOut, TokenOut
from kesu.core import clock
from kesu.core.errors import ErrorCode, NotFound
from kesu.core.ratelimit import client_ip


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }


class KesuAPI(NinjaAPI):
    """Documents the answers every operation can give before its handler runs: 400 for a body that is
    not JSON, 413 for one over the limit, 422 for unstorable text in the query or the body (kesu.core.
    middleware), 404 for a path no complaint or record has, 429 for sign-in throttling."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault(400, _error_response("The body is not valid JSON."))
                    responses.setdefault(413, _error_response("The request body is too large."))
                responses.setdefault(422, _error_response("Bad input: each error names its field."))
                if "{" in path:
                    responses.setdefault(404, _error_response("Not found."))
                if path.endswith("/auth/token"):
                    responses.setdefault(429, _error_response("Too many failed sign-ins: see Retry-After."))
        return schema


api = KesuAPI(
    title="Kesu (客诉) API",
    version="1",
    description="Complaint handling: registration, numbering, lifecycle and audit.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    renderer=Renderer(),
)
errors.install(api)

system = Router(tags=["system"])


@system.get("/health", response=HealthOut, auth=None)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@system.post("/auth/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut, 422: ErrorOut}, auth=None)
def token(request: HttpRequest, body: TokenIn) -> Any:
    address = client_ip(request)
    wait = throttle.refused_for(username=body.username, address=address)
    if wait is not None:
        refused = api.create_response(
            request, errors.error_body([(None, throttle.retry_message(wait), ErrorCode.THROTTLED)]), status=429
        )
        refused["Retry-After"] = str(wait)
        return refused
    issued = token_issue(username=body.username, password=body.password, now=clock.now())
    if issued is None:
        throttle.record_failure(username=body.username, address=address)
        return Status(401, errors.error_body([(None, _("Wrong username or password."), ErrorCode.WRONG_CREDENTIALS)]))
    throttle.record_success(username=body.username, address=address)
    return Status(200, {"token": issued})


@system.get("/auth/tokens", response={200: list[TokenInfoOut], 401: ErrorOut})
def tokens(request: AuthedRequest) -> list[dict[str, Any]]:
    """The caller's live API tokens (docs/tokens.md); the secret itself is never shown again."""
    current = getattr(request, "kesu_token_id", None)
    return [
        {"id": t.pk, "created_at": t.created_at, "expires_at": t.expires_at, "current": t.pk == current}
        for t in tokens_of(user=request.user, now=clock.now())
    ]


@system.delete("/auth/tokens/{token_id}", response={204: None, 401: ErrorOut, 404: ErrorOut})
def revoke_token(request: AuthedRequest, token_id: int) -> Any:
    """Revoke one of the caller's own tokens (the current one too: signing out)."""
    if not token_revoke(user=request.user, token_id=token_id):
        raise NotFound(_("You have no token with this id."))
    return Status(204, None)


api.add_router("", system)
api.add_router("", complaints.router)
api.add_router("", public.router)
api.add_router("", deadlines.router)
api.add_router("", letters.router)
api.add_router("", supervision.router)
for resolution_router in resolution.routers:
    api.add_router("", resolution_router)
api.add_router("", privacy.router)
# --- major complaints and money at the desk (issue 13) ---
from kesu.api import compensation as compensation_api  # noqa: E402
from kesu.api import incidents as incidents_api  # noqa: E402

api.add_router("", incidents_api.router)
api.add_router("", compensation_api.router)
# --- complaint platforms (issue 12: WeChat Pay notifications) ---
from kesu.api import platforms as platform_routes  # noqa: E402

api.add_router("", platform_routes.router)
# --- service desk (kesu/desk) ---
from kesu.api import desk as desk_api  # noqa: E402

api.add_router("", desk_api.router)
# --- channels (webhooks) ---
api.add_router("", webhooks.router)

# The procedure rules (confidentiality, formal objections): docs/api-procedure.md.
from kesu.api import procedure  # noqa: E402

api.add_router("", procedure.router)
# --- reports: ledger, indicators, sales volumes, forms, published outcomes ---
from kesu.api import reports as reports_api  # noqa: E402

api.add_router("", reports_api.router)

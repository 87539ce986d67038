"""Letters to customers (SPEC RS-4, SV-3): send through the outbox, preview or print."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.api.access import AuthedRequest
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import ErrorOut
from kesu.core import clock
from kesu.notifications.letters import RenderedLetter, complaint_language_set, letter_send
from kesu.notifications.selectors import letter_preview

router = Router(tags=["letters"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

LetterKindCode = Literal["acknowledgement", "unreachable_sms", "apology", "result", "complaint_record"]
LanguageCode = Literal["zh-hans", "zh-hant", "en"]


class LetterIn(Schema):
    kind: LetterKindCode
    channel: Literal["email", "sms"] | None = Field(
        None, description="Default: SMS for unreachable_sms, else e-mail when the customer gave one, else SMS."
    )
    language: LanguageCode | None = Field(None, description="Default: the complaint's language.")
    cause: str | None = Field(None, max_length=2000, description="Overrides the investigation's cause.")
    measures: str | None = Field(None, max_length=2000, description="Overrides the complaint's result.")
    improvements: str | None = Field(None, max_length=2000, description="Overrides the linked CAPAs' actions.")


class LetterSentOut(Schema):
    id: int
    kind: str
    channel: str
    status: str
    subject: str
    created_at: str


class LetterOut(Schema):
    kind: str
    language: str
    subject: str
    body: str
    internal: bool
    template_version: int


class PreviewQuery(Schema):
    language: str | None = None
    cause: str | None = None
    measures: str | None = None
    improvements: str | None = None


class LanguageIn(Schema):
    language: LanguageCode


class LanguageOut(Schema):
    number: str
    language: str


def _letter(letter: RenderedLetter) -> dict[str, Any]:
    return {
        "kind": letter.kind,
        "language": letter.language,
        "subject": letter.subject,
        "body": letter.body,
        "internal": letter.internal,
        "template_version": letter.version,
    }


@router.post(
    "/complaints/{number}/letters",
    response={201: LetterSentOut, **ERRORS},
    openapi_extra=json_body(LetterIn, "The letter to send and, optionally, its channel and texts."),
)
def send(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    message = letter_send(
        actor=request.user,
        number=number,
        kind=payload.get("kind"),  # type: ignore[arg-type]
        channel=payload.get("channel"),
        language=payload.get("language"),
        extra=payload,
        now=clock.now(),
    )
    return Status(
        201,
        {
            "id": message.pk,
            "kind": message.kind,
            "channel": message.channel,
            "status": message.status,
            "subject": message.subject,
            "created_at": message.created_at.isoformat(),
        },
    )


@router.get("/complaints/{number}/letters/{kind}/preview", response={200: LetterOut, **ERRORS})
def preview(request: AuthedRequest, number: str, kind: str, query: Query[PreviewQuery]) -> dict[str, Any]:
    letter = letter_preview(
        user=request.user, number=number, kind=kind, now=clock.now(), language=query.language, extra=query.dict()
    )
    return _letter(letter)


@router.post(
    "/complaints/{number}/language",
    response={200: LanguageOut, **ERRORS},
    openapi_extra=json_body(LanguageIn, "The language of the customer's letters."),
)
def set_language(request: AuthedRequest, number: str) -> dict[str, Any]:
    payload = json_object(request)
    language = str(payload.get("language") or "")  # the service refuses anything but a known language code
    complaint = complaint_language_set(actor=request.user, number=number, language=language, now=clock.now())
    return {"number": complaint.number, "language": complaint.language}

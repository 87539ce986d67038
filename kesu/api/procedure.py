"""Endpoints of the procedure rules (docs/api-procedure.md): a complaint's confidentiality level
and named readers (PV-1), a document's level."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from kesu.api.access import AuthedRequest
from kesu.api.body import json_object
from kesu.api.complaints import ERRORS, detail_body
from kesu.api.openapi import json_body
from kesu.api.schemas import AttachmentOut, ComplaintOut
from kesu.complaints.confidentiality import confidentiality_set, document_confidentiality_set
from kesu.complaints.services.evidence import attachment_dict
from kesu.core import clock
from kesu.core.errors import FieldError, ValidationFailed

router = Router(tags=["confidentiality"])


class ConfidentialityIn(Schema):
    level: str
    readers: list[str] | None = None
    reason: str | None = None


class DocumentLevelIn(Schema):
    level: str


@router.post(
    "/complaints/{number}/confidentiality",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(
        ConfidentialityIn, "Set the level (normal, secret, top_secret) and the usernames named to read it."
    ),
)
def set_confidentiality(request: AuthedRequest, number: str) -> dict[str, Any]:
    body = json_object(request)
    readers = body.get("readers") or []
    if not isinstance(readers, list) or not all(isinstance(r, str) for r in readers):
        raise ValidationFailed([FieldError("readers", _("Send a list of usernames."), "type")])
    confidentiality_set(
        actor=request.user,
        number=number,
        level=str(body.get("level") or ""),
        readers=readers,
        reason=str(body.get("reason") or "")[:500],
        now=clock.now(),
    )
    return detail_body(request, number)


@router.post(
    "/complaints/{number}/attachments/{attachment_id}/confidentiality",
    response={200: AttachmentOut, **ERRORS},
    openapi_extra=json_body(DocumentLevelIn, "Set one document's level (normal, secret, top_secret)."),
)
def set_document_level(request: AuthedRequest, number: str, attachment_id: int) -> dict[str, Any]:
    body = json_object(request)
    attachment = document_confidentiality_set(
        actor=request.user,
        number=number,
        attachment_id=attachment_id,
        level=str(body.get("level") or ""),
        now=clock.now(),
    )
    return attachment_dict(attachment)


# --- violations reported to internal audit (SPEC §7): kesu/resolution/internal_audit.py ---


class ViolationIn(Schema):
    note: str


class AuditReportIn(Schema):
    reference: str
    note: str | None = None


@router.post(
    "/complaints/{number}/violation",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(
        ViolationIn, "Record the violation the complaint revealed; its report is due in 3 working days."
    ),
)
def record_violation(request: AuthedRequest, number: str) -> dict[str, Any]:
    from kesu.resolution.internal_audit import violation_found

    body = json_object(request)
    violation_found(actor=request.user, number=number, note=body.get("note"), now=clock.now())
    return detail_body(request, number)


@router.post(
    "/complaints/{number}/violation/report",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(
        AuditReportIn, "Record the report to internal audit (its reference), meeting the deadline."
    ),
)
def record_audit_report(request: AuthedRequest, number: str) -> dict[str, Any]:
    from kesu.resolution.internal_audit import internal_audit_reported

    body = json_object(request)
    internal_audit_reported(
        actor=request.user, number=number, reference=body.get("reference"), note=body.get("note"), now=clock.now()
    )
    return detail_body(request, number)

"""The investigation of a complaint (5W1H, root cause, responsibility, losses): read and record."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, money, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.resolution import investigations
from kesu.resolution.models import Investigation

router = Router(tags=["resolution"])


class FiveW1HIn(Schema):
    what: str | None = None
    who: str | None = None
    when: str | None = None
    where: str | None = None
    why: str | None = None
    how: str | None = None


class InvestigationIn(Schema):
    findings: str | None = None
    evidence: list[int] | None = Field(None, description="Ids of the complaint's attachments.")
    five_w1h: FiveW1HIn | None = None
    lot_number: str | None = None
    bill_of_materials: str | None = None
    process_records: str | None = None
    lab_analysis: str | None = None
    root_cause: str | None = None
    reason_category: str | None = Field(None, description="A level-4 taxonomy code.")
    cause_class: Literal["policy_not_understood", "staff", "system_or_other_department"] | None = None
    responsibility: Literal["ours", "customer_misuse", "supplier", "carrier", "not_established"] | None = None
    responsible_department: str | None = Field(None, description="Code or name; required when ours.")
    responsible_person: str | None = Field(None, description="Username.")
    loss_amount: str | None = Field(None, description="Decimal string ≥ 0.")
    penalty_amount: str | None = Field(None, description="Decimal string ≥ 0.")


class InvestigationOut(Schema):
    findings: str
    evidence: list[int]
    five_w1h: dict[str, str]
    lot_number: str
    bill_of_materials: str
    process_records: str
    lab_analysis: str
    root_cause: str
    reason_category: str | None
    cause_class: str
    responsibility: str
    responsible_department: str | None
    responsible_person: str | None
    loss_amount: str | None
    penalty_amount: str | None
    ready_for_solution: bool
    recorded_by: str | None
    recorded_at: dt.datetime
    updated_by: str | None
    updated_at: dt.datetime


def investigation_dict(investigation: Investigation) -> dict[str, Any]:
    return {
        "findings": investigation.findings,
        "evidence": sorted(investigation.evidence.values_list("pk", flat=True)),
        "five_w1h": {key: getattr(investigation, f"fact_{key}") for key in investigations.FACTS},
        "lot_number": investigation.lot_number,
        "bill_of_materials": investigation.bill_of_materials,
        "process_records": investigation.process_records,
        "lab_analysis": investigation.lab_analysis,
        "root_cause": investigation.root_cause,
        "reason_category": investigation.reason_category.code if investigation.reason_category else None,
        "cause_class": investigation.cause_class,
        "responsibility": investigation.responsibility,
        "responsible_department": (
            investigation.responsible_department.code if investigation.responsible_department else None
        ),
        "responsible_person": name(investigation.responsible_person),
        "loss_amount": money(investigation.loss_amount),
        "penalty_amount": money(investigation.penalty_amount),
        "ready_for_solution": investigation.ready_for_solution,
        "recorded_by": name(investigation.recorded_by),
        "recorded_at": investigation.recorded_at,
        "updated_by": name(investigation.updated_by),
        "updated_at": investigation.updated_at,
    }


@router.get(
    "/complaints/{number}/investigation",
    response={200: InvestigationOut, **ERRORS},
    operation_id="kesu_api_resolution_investigation_get",
)
def investigation_get(request: AuthedRequest, number: str) -> dict[str, Any]:
    investigation = Investigation.objects.filter(complaint=complaint_of(request, number)).first()
    if investigation is None:
        raise NotFound(_("No investigation has been recorded yet."))
    return investigation_dict(investigation)


@router.put(
    "/complaints/{number}/investigation",
    response={200: InvestigationOut, **ERRORS},
    openapi_extra=json_body(InvestigationIn, "Fields to record; those left out keep their value."),
    operation_id="kesu_api_resolution_investigation_put",
)
def investigation_put(request: AuthedRequest, number: str) -> dict[str, Any]:
    values = investigations.parse_investigation(json_object(request))
    investigation = investigations.investigation_record(
        actor=request.user, number=number, values=values, now=clock.now()
    )
    return investigation_dict(investigation)

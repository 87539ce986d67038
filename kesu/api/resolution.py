"""Staff endpoints of the resolution domain: investigation, department tasks, solutions and their
approval history, returns and allowances, callbacks, follow-up visits, validity rulings and appeals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kesu.accounts.models import User
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import ErrorOut, InDate, InDatetime
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_get
from kesu.complaints.validation import Collector, parse_timestamp
from kesu.core import clock
from kesu.core.errors import NotFound
from kesu.resolution import adjudication, coordination, followups, investigations, returns
from kesu.resolution.common import department_ref, user_ref, whole_number
from kesu.resolution.models import (
    Adjudication,
    ContactMethod,
    DepartmentTask,
    FollowUpVisit,
    Investigation,
    ReturnDocument,
    Solution,
)

router = Router(tags=["resolution"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _complaint(request: HttpRequest, number: str) -> Complaint:
    complaint = complaint_get(user=_user(request), number=number)
    if complaint is None:
        raise NotFound(_("No complaint has this number."))
    return complaint


def _name(user: User | None) -> str | None:
    return user.username if user is not None else None


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


# --- schemas ---------------------------------------------------------------------------------

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


class CoordinatorIn(Schema):
    coordinator: str = Field(description="Username.")


class TaskIn(Schema):
    department: str = Field(description="Code or name.")
    assignee: str | None = None
    description: str
    due_at: dt.datetime


class TaskFinishIn(Schema):
    result: str


class TaskCancelIn(Schema):
    reason: str | None = None


class TaskOut(Schema):
    id: int
    department: str
    assignee: str | None
    description: str
    due_at: dt.datetime
    status: str
    result: str
    created_by: str | None
    created_at: dt.datetime
    finished_by: str | None
    finished_at: dt.datetime | None
    overdue: bool


class TasksOut(Schema):
    coordinator: str | None
    tasks: list[TaskOut]


class RemedyOut(Schema):
    alternative: int
    type: str
    amount: str
    note: str


class DecisionOut(Schema):
    decision: str
    by: str | None
    role: str
    authority_limit: str | None
    at: dt.datetime
    note: str


class SolutionOut(Schema):
    round: int
    status: str
    total: str
    description: str
    proposed_by: str | None
    proposed_at: dt.datetime
    alternatives: int
    accepted_alternative: int | None
    remedies: list[RemedyOut]
    decisions: list[DecisionOut] = Field(description="The approval history of this round.")
    customer_answered_at: dt.datetime | None
    customer_note: str


class ReturnIn(Schema):
    kind: Literal["credit_note", "return_slip"]
    item: str | None = None
    lot: str | None = None
    approved_quantity: int | None = Field(None, ge=1)
    unit_price: str | None = None
    amount: str | None = Field(None, description="Required for a credit note; a return slip defaults to "
                                                 "quantity × unit price.")
    note: str | None = None


class ReceiptIn(Schema):
    returned_quantity: int = Field(ge=0)


class ReturnOut(Schema):
    id: int
    number: str
    complaint: str
    kind: str
    item: str
    lot: str
    approved_quantity: int | None
    returned_quantity: int | None
    unit_price: str | None
    amount: str
    credited_amount: str
    reconciliation: str
    note: str
    created_by: str | None
    created_at: dt.datetime
    received_at: dt.datetime | None


class ReturnListOut(Schema):
    count: int
    total_amount: str
    results: list[ReturnOut]


class CallbackOut(Schema):
    at: dt.datetime
    by: str | None
    method: str
    reached: bool
    satisfied: bool | None
    score: int | None
    comment: str


class FollowUpIn(Schema):
    scheduled_for: dt.date | None = Field(None, description="1–2 months after resolution; default 1 month.")
    method: Literal["phone", "sms", "email", "visit"] = "visit"
    assignee: str | None = None
    purpose: str | None = None


class FollowUpDoneIn(Schema):
    satisfied: bool | None = None
    outcome: str
    cancel: bool = False


class FollowUpOut(Schema):
    id: int
    complaint: str
    scheduled_for: dt.date
    method: str
    assignee: str | None
    purpose: str
    status: str
    satisfied: bool | None
    outcome: str
    done_at: dt.datetime | None


class AdjudicationIn(Schema):
    kind: Literal["major", "service", "business", "service_error"]
    reason: str
    staff: str | None = Field(None, description="Username of the staff member whose handling was judged.")


class AppealOut(Schema):
    id: int
    appellant: str | None
    reason: str
    lodged_at: dt.datetime
    answer_due: dt.datetime
    reviewer: str | None
    decision: str
    answer: str
    answered_at: dt.datetime | None


class AdjudicationOut(Schema):
    id: int
    validity: str
    kind: str
    reason: str
    staff: str | None
    ruled_by: str | None
    ruled_at: dt.datetime
    appeal_until: dt.datetime
    appeal: AppealOut | None


class AppealIn(Schema):
    reason: str


class AppealAnswerIn(Schema):
    decision: Literal["upheld", "overturned"]
    answer: str


# --- renderers ------------------------------------------------------------------------------

def investigation_dict(investigation: Investigation) -> dict[str, Any]:
    return {
        "findings": investigation.findings,
        "evidence": sorted(investigation.evidence.values_list("pk", flat=True)),
        "five_w1h": {key: getattr(investigation, f"fact_{key}") for key in investigations.FACTS},
        "lot_number": investigation.lot_number, "bill_of_materials": investigation.bill_of_materials,
        "process_records": investigation.process_records, "lab_analysis": investigation.lab_analysis,
        "root_cause": investigation.root_cause,
        "reason_category": investigation.reason_category.code if investigation.reason_category else None,
        "cause_class": investigation.cause_class, "responsibility": investigation.responsibility,
        "responsible_department": (investigation.responsible_department.code
                                   if investigation.responsible_department else None),
        "responsible_person": _name(investigation.responsible_person),
        "loss_amount": _money(investigation.loss_amount), "penalty_amount": _money(investigation.penalty_amount),
        "ready_for_solution": investigation.ready_for_solution,
        "recorded_by": _name(investigation.recorded_by), "recorded_at": investigation.recorded_at,
        "updated_by": _name(investigation.updated_by), "updated_at": investigation.updated_at,
    }


def task_dict(task: DepartmentTask, now: dt.datetime) -> dict[str, Any]:
    return {"id": task.pk, "department": task.department.code, "assignee": _name(task.assignee),
            "description": task.description, "due_at": task.due_at, "status": task.status, "result": task.result,
            "created_by": _name(task.created_by), "created_at": task.created_at,
            "finished_by": _name(task.finished_by), "finished_at": task.finished_at,
            "overdue": task.status == "open" and now > task.due_at}


def solution_dict(solution: Solution) -> dict[str, Any]:
    return {
        "round": solution.round, "status": solution.status, "total": str(solution.total),
        "description": solution.description, "proposed_by": _name(solution.proposed_by),
        "proposed_at": solution.proposed_at, "alternatives": solution.alternatives,
        "accepted_alternative": solution.accepted_alternative,
        "remedies": [{"alternative": r.alternative, "type": r.type, "amount": str(r.amount), "note": r.note}
                     for r in solution.remedies.order_by("alternative", "id")],
        "decisions": [{"decision": d.decision, "by": _name(d.by), "role": d.role,
                       "authority_limit": _money(d.authority_limit), "at": d.at, "note": d.note}
                      for d in solution.decisions.select_related("by").order_by("at", "id")],
        "customer_answered_at": solution.customer_answered_at, "customer_note": solution.customer_note,
    }


def return_dict(document: ReturnDocument) -> dict[str, Any]:
    return {"id": document.pk, "number": document.number, "complaint": document.complaint.number,
            "kind": document.kind, "item": document.item, "lot": document.lot,
            "approved_quantity": document.approved_quantity, "returned_quantity": document.returned_quantity,
            "unit_price": _money(document.unit_price), "amount": str(document.amount),
            "credited_amount": str(returns.credited_amount(document)), "reconciliation": document.reconciliation,
            "note": document.note, "created_by": _name(document.created_by), "created_at": document.created_at,
            "received_at": document.received_at}


def follow_up_dict(visit: FollowUpVisit) -> dict[str, Any]:
    return {"id": visit.pk, "complaint": visit.complaint.number, "scheduled_for": visit.scheduled_for,
            "method": visit.method, "assignee": _name(visit.assignee), "purpose": visit.purpose,
            "status": visit.status, "satisfied": visit.satisfied, "outcome": visit.outcome, "done_at": visit.done_at}


def adjudication_dict(ruling: Adjudication) -> dict[str, Any]:
    appeal = getattr(ruling, "appeal", None)
    return {
        "id": ruling.pk, "validity": ruling.validity, "kind": ruling.kind, "reason": ruling.reason,
        "staff": _name(ruling.staff), "ruled_by": _name(ruling.ruled_by), "ruled_at": ruling.ruled_at,
        "appeal_until": ruling.ruled_at + adjudication.APPEAL_WINDOW,
        "appeal": None if appeal is None else {
            "id": appeal.pk, "appellant": _name(appeal.appellant), "reason": appeal.reason,
            "lodged_at": appeal.lodged_at, "answer_due": appeal.answer_due, "reviewer": _name(appeal.reviewer),
            "decision": appeal.decision, "answer": appeal.answer, "answered_at": appeal.answered_at},
    }


# --- investigation ----------------------------------------------------------------------------

@router.get("/complaints/{number}/investigation", response={200: InvestigationOut, **ERRORS})
def investigation_get(request: HttpRequest, number: str) -> dict[str, Any]:
    investigation = Investigation.objects.filter(complaint=_complaint(request, number)).first()
    if investigation is None:
        raise NotFound(_("No investigation has been recorded yet."))
    return investigation_dict(investigation)


@router.put("/complaints/{number}/investigation", response={200: InvestigationOut, **ERRORS},
            openapi_extra=json_body(InvestigationIn, "Fields to record; those left out keep their value."))
def investigation_put(request: HttpRequest, number: str) -> dict[str, Any]:
    values = investigations.parse_investigation(json_object(request))
    investigation = investigations.investigation_record(actor=_user(request), number=number, values=values,
                                                        now=clock.now())
    return investigation_dict(investigation)


# --- several departments ----------------------------------------------------------------------

def _tasks(request: HttpRequest, number: str) -> dict[str, Any]:
    complaint = _complaint(request, number)
    found = coordination.coordination_of(complaint)
    now = clock.now()
    return {"coordinator": _name(found.coordinator) if found else None,
            "tasks": [task_dict(t, now) for t in coordination.tasks_of(complaint)]}


@router.get("/complaints/{number}/tasks", response={200: TasksOut, **ERRORS})
def tasks_list(request: HttpRequest, number: str) -> dict[str, Any]:
    return _tasks(request, number)


@router.put("/complaints/{number}/coordinator", response={200: TasksOut, **ERRORS},
            openapi_extra=json_body(CoordinatorIn, "The one coordinator of a complaint touching several departments."))
def coordinator_put(request: HttpRequest, number: str) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    coordinator = user_ref(c, payload, "coordinator", "coordinator", required=True)
    c.raise_if_any()
    assert coordinator is not None
    coordination.coordinator_set(actor=_user(request), number=number, coordinator=coordinator, now=clock.now())
    return _tasks(request, number)


@router.post("/complaints/{number}/tasks", response={201: TaskOut, **ERRORS},
             openapi_extra=json_body(TaskIn, "A task for one department, with its own due time."))
def task_add(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    department = department_ref(c, payload, "department", "department", required=True)
    assignee = user_ref(c, payload, "assignee", "assignee")
    description = c.text(payload, "description", "description", max_length=4000, required=True)
    due_at = parse_timestamp(payload.get("due_at"), "due_at", c)
    c.raise_if_any()
    assert department is not None and due_at is not None
    now = clock.now()
    task = coordination.department_task_add(actor=_user(request), number=number, department=department,
                                            assignee=assignee, description=description, due_at=due_at, now=now)
    return Status(201, task_dict(task, now))


@router.post("/complaints/{number}/tasks/{task_id}/done", response={200: TaskOut, **ERRORS},
             openapi_extra=json_body(TaskFinishIn, "The department's result."))
def task_done(request: HttpRequest, number: str, task_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    result = c.text(payload, "result", "result", max_length=4000, required=True)
    c.raise_if_any()
    now = clock.now()
    task = coordination.department_task_finish(actor=_user(request), number=number, task_id=task_id, result=result,
                                               now=now)
    return task_dict(task, now)


@router.post("/complaints/{number}/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS},
             openapi_extra=json_body(TaskCancelIn, "Why the task is no longer needed."))
def task_cancel(request: HttpRequest, number: str, task_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=4000)
    c.raise_if_any()
    now = clock.now()
    task = coordination.department_task_finish(actor=_user(request), number=number, task_id=task_id, result=reason,
                                               cancel=True, now=now)
    return task_dict(task, now)


# --- solutions, callbacks ----------------------------------------------------------------------

@router.get("/complaints/{number}/solutions", response={200: list[SolutionOut], **ERRORS})
def solutions_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    complaint = _complaint(request, number)
    return [solution_dict(s) for s in complaint.solutions.select_related("proposed_by").order_by("round")]


@router.get("/complaints/{number}/callbacks", response={200: list[CallbackOut], **ERRORS})
def callbacks_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    complaint = _complaint(request, number)
    return [{"at": cb.at, "by": _name(cb.by), "method": cb.method, "reached": cb.reached,
             "satisfied": cb.satisfied, "score": cb.score, "comment": cb.comment}
            for cb in complaint.callbacks.select_related("by").order_by("at", "id")]


# --- returns and allowances ----------------------------------------------------------------------

@router.get("/complaints/{number}/returns", response={200: list[ReturnOut], **ERRORS})
def returns_of_complaint(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    complaint = _complaint(request, number)
    return [return_dict(d) for d in complaint.return_documents.select_related("complaint", "created_by")]


@router.post("/complaints/{number}/returns", response={201: ReturnOut, **ERRORS},
             openapi_extra=json_body(ReturnIn, "A credit note or a return slip for the accepted solution."))
def return_create(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    kind = c.text(payload, "kind", "kind", max_length=20, required=True)
    item = c.text(payload, "item", "item", max_length=200)
    lot = c.text(payload, "lot", "lot", max_length=80)
    quantity = whole_number(c, payload, "approved_quantity", "approved_quantity", minimum=1)
    unit_price = c.amount(payload, "unit_price", "unit_price")
    amount = c.amount(payload, "amount", "amount")
    note = c.text(payload, "note", "note", max_length=2000)
    c.raise_if_any()
    document = returns.return_document_create(actor=_user(request), number=number, kind=kind, item=item, lot=lot,
                                              approved_quantity=quantity, unit_price=unit_price, amount=amount,
                                              note=note, now=clock.now())
    return Status(201, return_dict(document))


@router.post("/complaints/{number}/returns/{document_id}/receipt", response={200: ReturnOut, **ERRORS},
             openapi_extra=json_body(ReceiptIn, "The quantity actually returned."))
def return_receipt(request: HttpRequest, number: str, document_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    quantity = whole_number(c, payload, "returned_quantity", "returned_quantity", required=True)
    c.raise_if_any()
    assert quantity is not None
    document = returns.return_receipt_record(actor=_user(request), number=number, document_id=document_id,
                                             returned_quantity=quantity, now=clock.now())
    return return_dict(document)


class FinanceQuery(Schema):
    kind: Literal["credit_note", "return_slip"] | None = None
    reconciliation: Literal["awaiting", "matched", "discrepancy", "not_applicable"] | None = None
    created_from: InDatetime | None = None
    created_to: InDatetime | None = None


@router.get("/finance/returns", response={200: ReturnListOut, **ERRORS})
def finance_returns(request: HttpRequest, filters: Query[FinanceQuery]) -> dict[str, Any]:
    documents = list(returns.finance_returns(user=_user(request), kind=filters.kind,
                                             reconciliation=filters.reconciliation,
                                             created_from=filters.created_from, created_to=filters.created_to))
    rows = [return_dict(d) for d in documents]
    total = sum((returns.credited_amount(d) for d in documents), Decimal("0.00"))
    return {"count": len(rows), "total_amount": str(total), "results": rows}


# --- follow-up visits ------------------------------------------------------------------------------

@router.post("/complaints/{number}/follow-ups", response={201: FollowUpOut, **ERRORS},
             openapi_extra=json_body(FollowUpIn, "A follow-up visit 1–2 months after resolution (FU-3)."))
def follow_up_create(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    scheduled_for = None
    raw_day = payload.get("scheduled_for")
    if raw_day not in (None, ""):
        scheduled_for = parse_date(raw_day) if isinstance(raw_day, str) else None
        if scheduled_for is None:
            c.add("scheduled_for", _("Enter a date such as 2026-12-01."), "invalid_date")
    method = c.choice(payload, "method", "method", ContactMethod, default=ContactMethod.VISIT)
    assignee = user_ref(c, payload, "assignee", "assignee")
    purpose = c.text(payload, "purpose", "purpose", max_length=2000)
    c.raise_if_any()
    visit = followups.follow_up_schedule(actor=_user(request), number=number, scheduled_for=scheduled_for,
                                         method=method or ContactMethod.VISIT, assignee=assignee, purpose=purpose,
                                         now=clock.now())
    return Status(201, follow_up_dict(visit))


@router.post("/complaints/{number}/follow-ups/{visit_id}/done", response={200: FollowUpOut, **ERRORS},
             openapi_extra=json_body(FollowUpDoneIn, "What came of the visit, or why it is cancelled."))
def follow_up_done(request: HttpRequest, number: str, visit_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    satisfied = payload.get("satisfied")
    if satisfied is not None and not isinstance(satisfied, bool):
        c.add("satisfied", _("Enter true or false."), "type")
    outcome = c.text(payload, "outcome", "outcome", max_length=4000, required=True)
    cancel = c.boolean(payload, "cancel", "cancel")
    c.raise_if_any()
    visit = followups.follow_up_record(actor=_user(request), number=number, visit_id=visit_id, satisfied=satisfied,
                                       outcome=outcome, cancel=cancel, now=clock.now())
    return follow_up_dict(visit)


class FollowUpQuery(Schema):
    status: Literal["scheduled", "done", "cancelled"] | None = None
    due_by: InDate | None = None


@router.get("/follow-ups", response={200: list[FollowUpOut], **ERRORS})
def follow_up_list(request: HttpRequest, filters: Query[FollowUpQuery]) -> list[dict[str, Any]]:
    return [follow_up_dict(v) for v in followups.follow_ups(user=_user(request), status=filters.status,
                                                          due_by=filters.due_by)[:500]]


# --- validity and appeals ---------------------------------------------------------------------------

@router.get("/complaints/{number}/adjudications", response={200: list[AdjudicationOut], **ERRORS})
def adjudications_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    complaint = _complaint(request, number)
    rulings = complaint.adjudications.select_related("staff", "ruled_by", "appeal__appellant", "appeal__reviewer")
    return [adjudication_dict(r) for r in rulings.order_by("ruled_at", "id")]


@router.post("/complaints/{number}/adjudication", response={201: AdjudicationOut, **ERRORS},
             openapi_extra=json_body(AdjudicationIn, "Rule the complaint valid (status unchanged); invalid rulings "
                                                     "are the `rule_invalid` action."))
def adjudicate(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    kind = c.text(payload, "kind", "kind", max_length=30, required=True)
    reason = c.text(payload, "reason", "reason", max_length=4000, required=True)
    staff = user_ref(c, payload, "staff", "staff")
    c.raise_if_any()
    ruling = adjudication.adjudication_rule_valid(actor=_user(request), number=number, kind=kind, reason=reason,
                                                  staff=staff, now=clock.now())
    return Status(201, adjudication_dict(ruling))


@router.post("/complaints/{number}/adjudications/{adjudication_id}/appeal", response={201: AdjudicationOut, **ERRORS},
             openapi_extra=json_body(AppealIn, "The judged staff member's appeal, within 7 days."))
def appeal(request: HttpRequest, number: str, adjudication_id: int) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=4000, required=True)
    c.raise_if_any()
    lodged = adjudication.appeal_lodge(actor=_user(request), number=number, adjudication_id=adjudication_id,
                                       reason=reason, now=clock.now())
    return Status(201, adjudication_dict(lodged.adjudication))


@router.post("/complaints/{number}/adjudications/{adjudication_id}/appeal/answer",
             response={200: AdjudicationOut, **ERRORS},
             openapi_extra=json_body(AppealAnswerIn, "The reviewer's answer, within 1 working day."))
def appeal_answer(request: HttpRequest, number: str, adjudication_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    decision = c.text(payload, "decision", "decision", max_length=20, required=True)
    answer = c.text(payload, "answer", "answer", max_length=4000, required=True)
    c.raise_if_any()
    complaint = _complaint(request, number)
    ruling = complaint.adjudications.filter(pk=adjudication_id).select_related("appeal").first()
    found = getattr(ruling, "appeal", None) if ruling is not None else None
    if found is None:
        raise NotFound(_("This ruling has not been appealed."))
    answered = adjudication.appeal_answer(actor=_user(request), number=number, appeal_id=found.pk, decision=decision,
                                          answer=answer, now=clock.now())
    return adjudication_dict(answered.adjudication)

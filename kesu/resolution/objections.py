"""SPEC IV-5: a department that disputes a ruling or its share of responsibility files a formal
objection (签呈) that goes to management for decision. The decision is recorded; when upheld, the
investigation's responsible department changes as management decided, so the responsibility
roll-ups follow. Every step writes its timeline event and audit record in the same transaction;
refusals write nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.resolution.models import (
    Adjudication,
    Investigation,
    Objection,
    ObjectionStatus,
    ObjectionSubject,
    Responsibility,
)

FILER_ROLES = frozenset({Role.HANDLER, Role.SUPERVISOR, Role.MANAGER})
DECIDER_ROLES = frozenset({Role.MANAGER, Role.GM})
DECISIONS = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED)


def _department(code: str, field: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first() or Department.objects.filter(name=code).first()
    if department is None:
        raise ValidationFailed([FieldError(field, _("Unknown department: %(ref)s.") % {"ref": code[:80]}, "not_found")])
    return department


def objection_file(
    *,
    actor: User,
    number: str,
    subject: str,
    reason: str,
    adjudication_id: int | None = None,
    proposed_department: str = "",
    now: dt.datetime,
) -> Objection:
    """The actor's department objects to its share of responsibility or to a ruling."""
    refuse_read_only(actor)
    if actor.role not in FILER_ROLES or actor.department_id is None:
        raise PermissionDenied(_("A formal objection is filed by a department's handler, supervisor or manager."))
    errors: list[FieldError] = []
    if subject not in ObjectionSubject.values:
        errors.append(
            FieldError(
                "subject",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(ObjectionSubject.values)},
                "invalid_choice",
            )
        )
    if not reason.strip():
        errors.append(FieldError("reason", _("Give the grounds of the objection."), "required"))
    if subject == ObjectionSubject.RULING and adjudication_id is None:
        errors.append(FieldError("adjudication", _("Choose the ruling objected to."), "required"))
    if errors:
        raise ValidationFailed(errors)
    proposed = _department(proposed_department.strip(), "proposed_department")
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        ruling = None
        if subject == ObjectionSubject.RESPONSIBILITY:
            investigation = Investigation.objects.filter(complaint=complaint).first()
            if investigation is None or investigation.responsible_department_id != actor.department_id:
                raise PermissionDenied(
                    _("Only the department held responsible may object to its share of responsibility."),
                    code="not_responsible_department",
                )
        else:
            ruling = Adjudication.objects.filter(complaint=complaint, pk=adjudication_id or 0).first()
            if ruling is None:
                raise NotFound(_("This complaint has no such ruling."))
            staff_department = ruling.staff.department_id if ruling.staff_id and ruling.staff else None
            if actor.department_id not in (complaint.department_id, staff_department):
                raise PermissionDenied(
                    _("Only the department the ruling concerns may object to it."), code="not_concerned_department"
                )
        if Objection.objects.filter(
            complaint=complaint, department_id=actor.department_id, status=ObjectionStatus.PENDING
        ).exists():
            raise Conflict(_("Your department's objection is already awaiting a decision."), code="already_pending")
        objection = Objection.objects.create(
            complaint=complaint,
            department_id=actor.department_id,
            subject=subject,
            adjudication=ruling,
            reason=reason.strip()[:5000],
            proposed_department=proposed,
            filed_by=actor,
            filed_at=now,
        )
        data = {
            "objection": objection.pk,
            "subject": subject,
            "department": actor.department.code if actor.department else None,
            "proposed_department": proposed.code if proposed else None,
        }
        record_event(complaint=complaint, kind="objection_filed", actor=actor, at=now, note=objection.reason, data=data)
        audit_record(
            actor=actor,
            action="objection.file",
            object_type="objection",
            object_id=str(objection.pk),
            data=data,
            at=now,
        )
    return objection


def objection_decide(
    *,
    actor: User,
    objection_id: int,
    decision: str,
    note: str,
    new_department: str | None = None,
    now: dt.datetime,
) -> Objection:
    """Management upholds or rejects the objection. Upheld: the investigation's responsible
    department becomes `new_department` (a code; "" for none, leaving responsibility not
    established; None takes the department the objection proposed)."""
    if actor.role not in DECIDER_ROLES:
        raise PermissionDenied(_("Formal objections are decided by management (the manager or the GM)."))
    errors: list[FieldError] = []
    if decision not in DECISIONS:
        errors.append(
            FieldError(
                "decision",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(DECISIONS)},
                "invalid_choice",
            )
        )
    if not note.strip():
        errors.append(FieldError("note", _("Give the reasons of the decision."), "required"))
    if errors:
        raise ValidationFailed(errors)
    chosen = _department(new_department.strip(), "new_department") if new_department else None
    with transaction.atomic():
        found = Objection.objects.filter(pk=objection_id).select_related("complaint").first()
        if found is None:
            raise NotFound(_("There is no such objection."))
        complaint = complaint_for_action(actor=actor, number=found.complaint.number)
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.filed_by_id == actor.pk:
            raise PermissionDenied(_("Nobody decides their own objection."), code="own_objection")
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict(_("This objection has already been decided."), code="already_decided")
        change: dict[str, object] = {}
        if decision == ObjectionStatus.UPHELD:
            target = objection.proposed_department if new_department is None else chosen
            investigation = Investigation.objects.select_for_update().filter(complaint=complaint).first()
            if investigation is not None and (
                objection.subject == ObjectionSubject.RESPONSIBILITY or target is not None
            ):
                before = {
                    "responsible_department": _code(investigation.responsible_department),
                    "responsible_person": investigation.responsible_person.username
                    if investigation.responsible_person
                    else None,
                    "responsibility": investigation.responsibility,
                }
                if target is None:
                    investigation.responsible_department = None
                    investigation.responsibility = Responsibility.NOT_ESTABLISHED
                else:
                    investigation.responsible_department = target
                if before["responsible_department"] != _code(investigation.responsible_department):
                    investigation.responsible_person = None
                investigation.updated_by, investigation.updated_at = actor, now
                investigation.save(
                    update_fields=[
                        "responsible_department",
                        "responsible_person",
                        "responsibility",
                        "updated_by",
                        "updated_at",
                    ]
                )
                after = {
                    "responsible_department": _code(investigation.responsible_department),
                    "responsible_person": None
                    if investigation.responsible_person is None
                    else investigation.responsible_person.username,
                    "responsibility": investigation.responsibility,
                }
                change = {"from": before, "to": after}
        objection.status, objection.decided_by, objection.decided_at = decision, actor, now
        objection.decision_note, objection.change = note.strip()[:5000], change
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "change"])
        data = {"objection": objection.pk, "decision": decision, "change": change}
        record_event(
            complaint=complaint, kind="objection_decided", actor=actor, at=now, note=objection.decision_note, data=data
        )
        audit_record(
            actor=actor,
            action="objection.decide",
            object_type="objection",
            object_id=str(objection.pk),
            data=data,
            at=now,
        )
    return objection


def _code(department: Department | None) -> str | None:
    return department.code if department is not None else None


def visible_objections(user: User) -> QuerySet[Objection]:
    """Management and auditors see every objection on complaints they may read; a department's
    staff their department's."""
    queryset = Objection.objects.filter(complaint__in=visible_complaints(user))
    if not (sees_whole_organisation(user) and user.role in (Role.ADMIN, Role.MANAGER, Role.GM, Role.AUDITOR)):
        queryset = queryset.filter(department_id=user.department_id or 0)
    return queryset.select_related(
        "complaint", "department", "proposed_department", "filed_by", "decided_by", "adjudication"
    ).order_by("status", "-filed_at", "-id")

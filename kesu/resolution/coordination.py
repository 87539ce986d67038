"""A complaint that touches several departments (SPEC DP-2): one coordinator and a task per
department, each with its own due date and status. `resolve` is refused while a task is open
(the guard `open_tasks_reason` in the transition table)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import SUPERVISORS
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.resolution.common import require_roles
from kesu.resolution.models import Coordination, DepartmentTask, TaskStatus

# While departments can still be asked to act.
TASK_STATUSES = frozenset({Status.ASSIGNED, Status.INVESTIGATING, Status.SOLUTION_PROPOSED, Status.IMPLEMENTING})


def coordinator_set(*, actor: User, number: str, coordinator: User, now: dt.datetime) -> Coordination:
    refuse_read_only(actor)
    require_roles(actor, SUPERVISORS, _("Only a supervisor or above may name the coordinator."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.status not in TASK_STATUSES:
            raise Conflict(_("A coordinator is named while the complaint is being handled."), code="invalid_state")
        coordination = Coordination.objects.filter(complaint=complaint).first()
        previous = coordination.coordinator.username if coordination else None
        if coordination is None:
            coordination = Coordination(complaint=complaint)
        coordination.coordinator, coordination.set_by, coordination.set_at = coordinator, actor, now
        coordination.save()
        record_event(
            complaint=complaint,
            kind="coordinator_set",
            actor=actor,
            at=now,
            data={"coordinator": coordinator.username, "previous": previous},
        )
    return coordination


def _is_coordinator(complaint: Complaint, user: User) -> bool:
    return Coordination.objects.filter(complaint=complaint, coordinator=user).exists()


def department_task_add(
    *,
    actor: User,
    number: str,
    department: Department,
    assignee: User | None,
    description: str,
    due_at: dt.datetime,
    now: dt.datetime,
) -> DepartmentTask:
    """A task for one department; the coordinator (or a supervisor) hands it out."""
    refuse_read_only(actor)
    errors = []
    if not description.strip():
        errors.append(FieldError("description", _("Say what the department is asked to do."), "required"))
    if due_at <= now:
        errors.append(FieldError("due_at", _("The due time must be in the future."), "past"))
    if assignee is not None and assignee.department_id != department.pk:
        errors.append(
            FieldError(
                "assignee",
                _("%(user)s is not in %(department)s.") % {"user": assignee.username, "department": department.name},
                "wrong_department",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        coordination = Coordination.objects.filter(complaint=complaint).first()
        if actor.role not in SUPERVISORS and (coordination is None or coordination.coordinator_id != actor.pk):
            raise PermissionDenied(
                _("Only the coordinator or a supervisor hands out department tasks."), code="not_coordinator"
            )
        if complaint.status not in TASK_STATUSES:
            raise Conflict(
                _("Department tasks are handed out while the complaint is being handled."), code="invalid_state"
            )
        if coordination is None:
            raise Conflict(_("Name the coordinator before handing out department tasks."), code="no_coordinator")
        if DepartmentTask.objects.filter(complaint=complaint, department=department, status=TaskStatus.OPEN).exists():
            raise Conflict(
                _("%(department)s already has an open task on this complaint.") % {"department": department.name},
                code="task_open",
                field="department",
            )
        task = DepartmentTask.objects.create(
            complaint=complaint,
            department=department,
            assignee=assignee,
            description=description.strip(),
            due_at=due_at,
            created_by=actor,
            created_at=now,
        )
        record_event(
            complaint=complaint,
            kind="department_task_added",
            actor=actor,
            at=now,
            note=task.description,
            data={
                "task": task.pk,
                "department": department.code,
                "assignee": assignee.username if assignee else None,
                "due_at": due_at.isoformat(),
            },
        )
    return task


def department_task_finish(
    *, actor: User, number: str, task_id: int, result: str, cancel: bool = False, now: dt.datetime
) -> DepartmentTask:
    """The department reports its task done (with the result), or the coordinator cancels it."""
    refuse_read_only(actor)
    if not cancel and not result.strip():
        raise ValidationFailed([FieldError("result", _("Give the result of the task."), "required")])
    with transaction.atomic():
        # A department asked to help may not otherwise see the complaint: its task makes it visible.
        complaint = Complaint.objects.select_for_update(of=("self",)).filter(number=number).first()
        task = (
            DepartmentTask.objects.select_for_update().filter(complaint=complaint, pk=task_id).first()
            if complaint is not None
            else None
        )
        if (
            complaint is None
            or task is None
            or not (
                task.department_id == actor.department_id or visible_complaints(actor).filter(pk=complaint.pk).exists()
            )
        ):
            raise NotFound(_("This complaint has no such task."))
        coordinating = actor.role in SUPERVISORS or _is_coordinator(complaint, actor)
        if cancel and not coordinating:
            raise PermissionDenied(
                _("Only the coordinator or a supervisor cancels a department task."), code="not_coordinator"
            )
        if not cancel and not (coordinating or task.department_id == actor.department_id):
            raise PermissionDenied(
                _("Only the department's staff or the coordinator finish its task."), code="not_own_task"
            )
        if task.status != TaskStatus.OPEN:
            raise Conflict(_("This task is no longer open."), code="task_closed")
        task.status = TaskStatus.CANCELLED if cancel else TaskStatus.DONE
        task.result, task.finished_by, task.finished_at = result.strip(), actor, now
        task.save(update_fields=["status", "result", "finished_by", "finished_at"])
        record_event(
            complaint=complaint,
            kind="department_task_cancelled" if cancel else "department_task_done",
            actor=actor,
            at=now,
            note=task.result,
            data={"task": task.pk, "department": task.department.code, "on_time": now <= task.due_at},
        )
    return task


def open_tasks_reason(complaint: Complaint) -> str | None:
    """Why the complaint cannot be resolved yet, or None when no department task is open."""
    departments = list(
        DepartmentTask.objects.filter(complaint=complaint, status=TaskStatus.OPEN)
        .order_by("department__code")
        .values_list("department__name", flat=True)
    )
    if not departments:
        return None
    return _("Department tasks are still open (%(departments)s); resolve once they are done.") % {
        "departments": ", ".join(departments)
    }


def tasks_of(complaint: Complaint) -> list[DepartmentTask]:
    return list(
        DepartmentTask.objects.filter(complaint=complaint).select_related(
            "department", "assignee", "created_by", "finished_by"
        )
    )


def coordination_of(complaint: Complaint) -> Coordination | None:
    return Coordination.objects.filter(complaint=complaint).select_related("coordinator").first()

"""Complaints touching several departments: the coordinator and the department tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from kesu.api.access import ERRORS, AuthedRequest, complaint_of, name
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.complaints.validation import Collector, parse_timestamp
from kesu.core import clock
from kesu.resolution import coordination
from kesu.resolution.common import department_ref, user_ref
from kesu.resolution.models import DepartmentTask

router = Router(tags=["resolution"])


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


def task_dict(task: DepartmentTask, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": task.pk,
        "department": task.department.code,
        "assignee": name(task.assignee),
        "description": task.description,
        "due_at": task.due_at,
        "status": task.status,
        "result": task.result,
        "created_by": name(task.created_by),
        "created_at": task.created_at,
        "finished_by": name(task.finished_by),
        "finished_at": task.finished_at,
        "overdue": task.status == "open" and now > task.due_at,
    }


def _tasks(request: AuthedRequest, number: str) -> dict[str, Any]:
    complaint = complaint_of(request, number)
    found = coordination.coordination_of(complaint)
    now = clock.now()
    return {
        "coordinator": name(found.coordinator) if found else None,
        "tasks": [task_dict(t, now) for t in coordination.tasks_of(complaint)],
    }


@router.get(
    "/complaints/{number}/tasks", response={200: TasksOut, **ERRORS}, operation_id="kesu_api_resolution_tasks_list"
)
def tasks_list(request: AuthedRequest, number: str) -> dict[str, Any]:
    return _tasks(request, number)


@router.put(
    "/complaints/{number}/coordinator",
    response={200: TasksOut, **ERRORS},
    openapi_extra=json_body(CoordinatorIn, "The one coordinator of a complaint touching several departments."),
    operation_id="kesu_api_resolution_coordinator_put",
)
def coordinator_put(request: AuthedRequest, number: str) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    coordinator = user_ref(c, payload, "coordinator", "coordinator", required=True)
    c.raise_if_any()
    assert coordinator is not None
    coordination.coordinator_set(actor=request.user, number=number, coordinator=coordinator, now=clock.now())
    return _tasks(request, number)


@router.post(
    "/complaints/{number}/tasks",
    response={201: TaskOut, **ERRORS},
    openapi_extra=json_body(TaskIn, "A task for one department, with its own due time."),
    operation_id="kesu_api_resolution_task_add",
)
def task_add(request: AuthedRequest, number: str) -> Status[dict[str, Any]]:
    payload = json_object(request)
    c = Collector()
    department = department_ref(c, payload, "department", "department", required=True)
    assignee = user_ref(c, payload, "assignee", "assignee")
    description = c.text(payload, "description", "description", max_length=4000, required=True)
    due_at = parse_timestamp(payload.get("due_at"), "due_at", c)
    c.raise_if_any()
    assert department is not None and due_at is not None
    now = clock.now()
    task = coordination.department_task_add(
        actor=request.user,
        number=number,
        department=department,
        assignee=assignee,
        description=description,
        due_at=due_at,
        now=now,
    )
    return Status(201, task_dict(task, now))


@router.post(
    "/complaints/{number}/tasks/{task_id}/done",
    response={200: TaskOut, **ERRORS},
    openapi_extra=json_body(TaskFinishIn, "The department's result."),
    operation_id="kesu_api_resolution_task_done",
)
def task_done(request: AuthedRequest, number: str, task_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    result = c.text(payload, "result", "result", max_length=4000, required=True)
    c.raise_if_any()
    now = clock.now()
    task = coordination.department_task_finish(
        actor=request.user, number=number, task_id=task_id, result=result, now=now
    )
    return task_dict(task, now)


@router.post(
    "/complaints/{number}/tasks/{task_id}/cancel",
    response={200: TaskOut, **ERRORS},
    openapi_extra=json_body(TaskCancelIn, "Why the task is no longer needed."),
    operation_id="kesu_api_resolution_task_cancel",
)
def task_cancel(request: AuthedRequest, number: str, task_id: int) -> dict[str, Any]:
    payload = json_object(request)
    c = Collector()
    reason = c.text(payload, "reason", "reason", max_length=4000)
    c.raise_if_any()
    now = clock.now()
    task = coordination.department_task_finish(
        actor=request.user, number=number, task_id=task_id, result=reason, cancel=True, now=now
    )
    return task_dict(task, now)

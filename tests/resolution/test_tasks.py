"""Several departments (DP-2): one coordinator, a task per department, resolve refused while one is open."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.accounts.models import Department
from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.resolution.coordination import coordinator_set, department_task_add, department_task_finish
from kesu.resolution.models import DepartmentTask
from tests.complaints.lifecycle import act, events_of
from tests.conftest import make_user
from tests.resolution.conftest import everything, refused


def dept(code: str) -> Department:
    return Department.objects.get(code=code)


def add(users, complaint, now, code: str, who: str = "supervisor", days: int = 2) -> DepartmentTask:
    return department_task_add(
        actor=users[who],
        number=complaint.number,
        department=dept(code),
        assignee=None,
        description=f"{code} 协查",
        due_at=now + dt.timedelta(days=days),
        now=now,
    )


def test_tasks_need_a_coordinator_first(complaint_in, users, now):
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(Conflict) as caught:
        add(users, complaint, now, "logistics")
    assert caught.value.code == "no_coordinator"
    assert everything() == before


def test_each_department_gets_its_own_task_with_due_date_and_status(complaint_in, users, now, client_as):
    complaint = complaint_in("investigating")
    supervisor = client_as("supervisor")
    response = supervisor.put(f"/api/v1/complaints/{complaint.number}/coordinator", {"coordinator": "manager"})
    assert (response.status_code, response.json()["coordinator"]) == (200, "manager")
    due_logistics = (now + dt.timedelta(days=1)).isoformat()
    due_sales = (now + dt.timedelta(days=3)).isoformat()
    manager = client_as("manager")
    first = manager.post(
        f"/api/v1/complaints/{complaint.number}/tasks",
        {"department": "logistics", "description": "查运输温度记录", "due_at": due_logistics},
    )
    second = manager.post(
        f"/api/v1/complaints/{complaint.number}/tasks",
        {"department": "销售部", "description": "核对订单", "due_at": due_sales},
    )
    assert (first.status_code, second.status_code) == (201, 201)
    listing = supervisor.get(f"/api/v1/complaints/{complaint.number}/tasks").json()
    assert [(t["department"], t["status"], t["overdue"]) for t in listing["tasks"]] == [
        ("logistics", "open", False),
        ("sales", "open", False),
    ]
    assert [e.kind for e in events_of(complaint)[-3:]] == [
        "coordinator_set",
        "department_task_added",
        "department_task_added",
    ]


def test_a_department_has_one_open_task_at_a_time(complaint_in, users, now):
    complaint = complaint_in("investigating")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["manager"], now=now)
    add(users, complaint, now, "logistics")
    before = everything()
    with pytest.raises(Conflict):
        add(users, complaint, now, "logistics")
    assert everything() == before


def test_only_the_coordinator_or_a_supervisor_hands_out_tasks(complaint_in, users, now):
    complaint = complaint_in("investigating")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["agent"], now=now)
    add(users, complaint, now, "logistics", who="agent")  # the coordinator
    before = everything()
    with pytest.raises(PermissionDenied):
        add(users, complaint, now, "sales", who="handler")
    with pytest.raises(PermissionDenied):
        coordinator_set(actor=users["agent"], number=complaint.number, coordinator=users["handler"], now=now)
    assert everything() == before


def test_a_task_due_in_the_past_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["manager"], now=now)
    with pytest.raises(ValidationFailed):
        add(users, complaint, now, "logistics", days=-1)


def test_resolve_is_refused_while_a_department_task_is_open(complaint_in, users, now, client_as):
    complaint = complaint_in("implementing")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["manager"], now=now)
    add(users, complaint, now, "logistics")
    response, unchanged = refused(
        client_as("handler").post,
        f"/api/v1/complaints/{complaint.number}/transitions",
        {"action": "resolve", "result": "已退款"},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["message"] == (
        "Department tasks are still open (物流部); resolve once they are done."
    )
    assert unchanged


def test_resolve_goes_through_once_every_task_is_done_or_cancelled(complaint_in, users, now, client_as):
    complaint = complaint_in("implementing")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["manager"], now=now)
    logistics = add(users, complaint, now, "logistics")
    sales = add(users, complaint, now, "sales")
    # A logistics handler finishes the department's task though the complaint belongs to quality.
    shipper = make_user("shipper", "handler", "logistics")
    department_task_finish(actor=shipper, number=complaint.number, task_id=logistics.pk, result="温度记录正常", now=now)
    response = client_as("manager").post(
        f"/api/v1/complaints/{complaint.number}/tasks/{sales.pk}/cancel", {"reason": "不再需要"}
    )
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    act(users, "handler", complaint, "resolve", now, result="已退款")
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    logistics.refresh_from_db()
    assert (logistics.status, logistics.finished_by_id) == ("done", shipper.pk)


def test_another_department_cannot_finish_a_task_nor_cancel_it(complaint_in, users, now):
    complaint = complaint_in("implementing")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["manager"], now=now)
    task = add(users, complaint, now, "logistics")
    before = everything()
    with pytest.raises(PermissionDenied):
        department_task_finish(actor=users["handler"], number=complaint.number, task_id=task.pk, result="x", now=now)
    with pytest.raises(PermissionDenied):
        department_task_finish(
            actor=users["agent"], number=complaint.number, task_id=task.pk, result="", cancel=True, now=now
        )
    with pytest.raises(ValidationFailed):
        department_task_finish(actor=users["manager"], number=complaint.number, task_id=task.pk, result="", now=now)
    assert everything() == before

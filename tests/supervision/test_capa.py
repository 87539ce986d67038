"""CAPAs (SPEC SV-2): one or many complaints, an owner and a due date, completion, verification
of effect by the quality department or a manager only, and escalation when overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.core import scheduler, tasks
from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.notifications.letters import letter_render
from kesu.notifications.models import OutboxMessage
from kesu.supervision.models import CapaEvent, CorrectiveAction
from kesu.supervision.services import capa_complete, capa_create, capa_escalate_overdue, capa_verify
from tests.supervision.conftest import at, everything

NOW = at(2026, 11, 2, 10)
DUE = at(2026, 11, 16, 18)


@pytest.fixture
def two(register):
    return [register(), register()]


@pytest.fixture
def capa(team, two):
    return capa_create(
        actor=team["manager"],
        complaints=[c.number for c in two],
        title="冷链温控",
        actions="所有门店加装温度记录仪",
        owner="handler",
        due=DUE,
        now=NOW,
        nonconformity="牛奶变质",
        root_cause="冷柜温度过高",
    )


def completed(capa, team):
    return capa_complete(actor=team["handler"], capa_id=capa.pk, note="已加装 40 台温度记录仪", now=NOW)


def test_a_capa_links_many_complaints_with_owner_and_due_date(capa, team, two):
    assert sorted(capa.complaints.values_list("number", flat=True)) == sorted(c.number for c in two)
    assert (capa.owner, capa.department.code, capa.due_at, capa.status) == (team["handler"], "quality", DUE, "open")
    assert list(CapaEvent.objects.filter(capa=capa).values_list("kind", "actor__username")) == [("created", "manager")]
    assert AuditRecord.objects.filter(action="capa.created", object_id=str(capa.pk)).count() == 1
    assert ComplaintEvent.objects.filter(kind="capa_linked", complaint__in=two).count() == 2
    assert list(
        OutboxMessage.objects.filter(kind="capa_assigned").values_list("recipient_user__username", flat=True)
    ) == ["handler"]


def test_a_quality_handler_may_open_a_capa(team, two):
    capa = capa_create(
        actor=team["inspector"],
        complaints=[two[0].number],
        title="包装",
        actions="改进封口",
        owner="inspector",
        due=DUE,
        now=NOW,
    )
    assert capa.owner == team["inspector"]
    assert not OutboxMessage.objects.filter(kind="capa_assigned").exists()  # no note to oneself


@pytest.mark.parametrize("who", ["agent", "sales", "auditor"])
def test_others_may_not_open_a_capa(team, two, who):
    before = everything()
    with pytest.raises(PermissionDenied):
        capa_create(
            actor=team[who], complaints=[two[0].number], title="x", actions="y", owner="handler", due=DUE, now=NOW
        )
    assert everything() == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"complaints": []}, ["complaints"]),
        ({"complaints": ["FIRST", "209901-00009"]}, ["complaints[1]"]),
        ({"title": " "}, ["title"]),
        ({"actions": ""}, ["actions"]),
        ({"owner": "nobody"}, ["owner"]),
        ({"owner": "auditor"}, ["owner"]),
        ({"due": NOW - dt.timedelta(minutes=1)}, ["due_at"]),
    ],
)
def test_bad_capas_are_refused_naming_the_field(team, two, changes, fields):
    arguments = {"complaints": [two[0].number], "title": "t", "actions": "a", "owner": "handler", "due": DUE, **changes}
    arguments["complaints"] = [two[0].number if n == "FIRST" else n for n in arguments["complaints"]]
    before = everything()
    with pytest.raises(ValidationFailed) as error:
        capa_create(actor=team["manager"], now=NOW, **arguments)
    assert [e.field for e in error.value.errors] == fields
    assert everything() == before


# --- completion and verification ------------------------------------------------------------


def test_the_owner_completes(capa, team):
    done = completed(capa, team)
    assert (done.status, done.completed_at, done.completion_note) == ("completed", NOW, "已加装 40 台温度记录仪")


def test_someone_else_may_not_complete(capa, team):
    before = everything()
    with pytest.raises(PermissionDenied):
        capa_complete(actor=team["agent"], capa_id=capa.pk, note="done", now=NOW)
    assert everything() == before


def test_completing_twice_is_refused(capa, team):
    completed(capa, team)
    before = everything()
    with pytest.raises(Conflict):
        completed(capa, team)
    assert everything() == before


@pytest.mark.parametrize("who", ["inspector", "qmanager", "manager", "gm", "admin"])
def test_quality_or_manager_verifies_the_effect(capa, team, who):
    completed(capa, team)
    verified = capa_verify(actor=team[who], capa_id=capa.pk, effective=True, note="连续 4 周无同类投诉", now=NOW)
    assert (verified.status, verified.verified_by, verified.verification_note) == (
        "verified",
        team[who],
        "连续 4 周无同类投诉",
    )
    assert AuditRecord.objects.filter(action="capa.verified", object_id=str(capa.pk)).count() == 1


@pytest.mark.parametrize("who", ["agent", "supervisor", "sales", "auditor"])
def test_a_non_quality_user_may_not_verify(capa, team, who):
    completed(capa, team)
    before = everything()
    with pytest.raises(PermissionDenied):
        capa_verify(actor=team[who], capa_id=capa.pk, effective=True, note="ok", now=NOW)
    assert everything() == before


def test_the_owner_may_not_verify_their_own_capa(capa, team):
    completed(capa, team)
    before = everything()
    with pytest.raises(PermissionDenied) as error:
        capa_verify(actor=team["handler"], capa_id=capa.pk, effective=True, note="ok", now=NOW)
    assert error.value.code == "not_own_work"
    assert everything() == before


def test_verifying_twice_is_refused(capa, team):
    completed(capa, team)
    capa_verify(actor=team["inspector"], capa_id=capa.pk, effective=True, note="ok", now=NOW)
    before = everything()
    with pytest.raises(Conflict):
        capa_verify(actor=team["qmanager"], capa_id=capa.pk, effective=True, note="again", now=NOW)
    assert everything() == before


def test_verifying_an_open_capa_is_refused(capa, team):
    before = everything()
    with pytest.raises(Conflict):
        capa_verify(actor=team["inspector"], capa_id=capa.pk, effective=True, note="ok", now=NOW)
    assert everything() == before


def test_not_effective_needs_a_new_due_date(capa, team):
    completed(capa, team)
    before = everything()
    with pytest.raises(ValidationFailed) as error:
        capa_verify(actor=team["inspector"], capa_id=capa.pk, effective=False, note="仍有投诉", now=NOW)
    assert [e.field for e in error.value.errors] == ["due_at"]
    assert everything() == before


def test_not_effective_reopens_with_the_new_due_date_and_tells_the_owner(capa, team):
    completed(capa, team)
    new_due = at(2026, 12, 1, 18)
    reopened = capa_verify(
        actor=team["inspector"], capa_id=capa.pk, effective=False, note="仍有投诉", now=NOW, new_due=new_due
    )
    assert (reopened.status, reopened.due_at, reopened.completed_at) == ("open", new_due, None)
    assert list(
        OutboxMessage.objects.filter(kind="capa_reopened").values_list("recipient_user__username", flat=True)
    ) == ["handler"]
    assert list(CapaEvent.objects.filter(capa=capa).values_list("kind", flat=True)) == [
        "created",
        "completed",
        "reopened",
    ]


# --- escalation when overdue ----------------------------------------------------------------


def escalations():
    return sorted(
        OutboxMessage.objects.filter(kind="capa_escalated").values_list("recipient_user__username", flat=True)
    )


def test_nothing_escalates_before_the_due_date(capa, team):
    assert capa_escalate_overdue(now=DUE) == 0
    assert escalations() == []


def test_an_overdue_capa_goes_to_the_owners_manager_once(capa, team):
    assert capa_escalate_overdue(now=DUE + dt.timedelta(minutes=1)) == 1
    capa.refresh_from_db()
    assert (capa.overdue, capa.escalation_level) == (True, 1)
    assert escalations() == ["handler", "qmanager"]
    event = CapaEvent.objects.get(capa=capa, kind="escalated")
    assert (event.actor, event.data) == (None, {"from_level": 0, "to_level": 1, "notified": ["qmanager", "handler"]})
    assert AuditRecord.objects.filter(action="capa.escalated", object_id=str(capa.pk)).count() == 1
    before = everything()
    assert capa_escalate_overdue(now=DUE + dt.timedelta(hours=5)) == 0
    assert everything() == before


def test_still_overdue_after_three_days_goes_to_the_gm(capa, team):
    capa_escalate_overdue(now=DUE + dt.timedelta(minutes=1))
    assert capa_escalate_overdue(now=DUE + dt.timedelta(days=3, minutes=1)) == 1
    capa.refresh_from_db()
    assert capa.escalation_level == 2
    assert escalations() == ["gm", "handler", "handler", "qmanager"]
    assert capa_escalate_overdue(now=DUE + dt.timedelta(days=30)) == 0


def test_without_a_department_manager_the_customer_service_manager_is_told(team, two):
    capa = capa_create(
        actor=team["manager"], complaints=[two[0].number], title="t", actions="a", owner="sales", due=DUE, now=NOW
    )
    capa_escalate_overdue(now=DUE + dt.timedelta(hours=1))
    assert escalations() == ["manager", "sales"]
    assert capa.pk


def test_a_completed_capa_does_not_escalate(capa, team):
    completed(capa, team)
    assert capa_escalate_overdue(now=DUE + dt.timedelta(days=10)) == 0
    assert CorrectiveAction.objects.get(pk=capa.pk).overdue is False


def test_escalation_is_a_scheduled_task():
    assert "escalate_capas" in tasks.registry()
    assert "escalate_capas" in scheduler.SCHEDULE


def test_the_task_runs_the_escalation(capa, team, time_machine):
    time_machine.move_to(DUE + dt.timedelta(hours=1))
    assert tasks.run("escalate_capas") == 1


# --- the result letter names the CAPA as the improvement --------------------------------------


def test_result_letter_names_the_linked_capa_as_improvement(complaint_in, team, now):
    complaint = complaint_in("resolved")
    capa_create(
        actor=team["manager"],
        complaints=[complaint.number],
        title="冷链温控",
        actions="所有门店加装温度记录仪",
        owner="handler",
        due=now + dt.timedelta(days=10),
        now=now,
    )
    letter = letter_render(complaint=complaint, kind="result", now=now)
    assert "三、改进措施：冷链温控 所有门店加装温度记录仪\n" in letter.body

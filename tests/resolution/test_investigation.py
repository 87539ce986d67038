"""The investigation record and the rule that a solution needs root cause and responsibility."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kesu.complaints import workflow
from kesu.complaints.services.evidence import attachment_add
from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.resolution.investigations import investigation_record, parse_investigation
from kesu.resolution.models import Investigation
from kesu.triage.models import Category
from tests.complaints.lifecycle import act, audit_of, events_of
from tests.conftest import make_user
from tests.resolution.conftest import everything, refused

PROPOSAL = {"action": "propose_solution", "remedies": [{"type": "refund", "amount": "10.00"}]}


@pytest.fixture
def started(register, users, now):
    """Investigating, nothing recorded yet."""
    complaint = register()
    act(users, "agent", complaint, "acknowledge", now)
    act(users, "supervisor", complaint, "assign", now, department="quality", assignee="handler")
    act(users, "handler", complaint, "start_investigation", now)
    complaint.refresh_from_db()
    return complaint


def level4(code: str = "product_quality.food.expired.cold_chain") -> Category:
    parent = Category.objects.get(code=code.rsplit(".", 1)[0])
    return Category.objects.create(
        code=code, parent=parent, level=4, name_zh_hans="冷链断链", name_zh_hant="冷鏈斷鏈", name_en="cold chain broken"
    )


def evidence(users, complaint, now, name: str = "lab.txt"):
    return attachment_add(
        actor=users["handler"],
        complaint=complaint,
        upload=SimpleUploadedFile(name, b"lab report"),
        name=name,
        size=10,
        description="化验报告",
        now=now,
    )


def test_proposing_before_the_investigation_is_refused_and_writes_nothing(started, client_as):
    response, unchanged = refused(
        client_as("handler").post, f"/api/v1/complaints/{started.number}/transitions", PROPOSAL
    )
    assert response.status_code == 409
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Record the root cause and the responsibility before proposing a solution.",
                "code": "guard",
            }
        ]
    }
    assert unchanged


def test_proposing_with_a_root_cause_but_no_responsibility_is_refused(started, users, now):
    investigation_record(
        actor=users["handler"], number=started.number, values=parse_investigation({"root_cause": "冷链断链"}), now=now
    )
    before = everything()
    with translation.override("en"), pytest.raises(Conflict) as caught:
        act(users, "handler", started, "propose_solution", now, remedies=PROPOSAL["remedies"])
    assert str(caught.value) == "Record who is responsible before proposing a solution."
    assert everything() == before


def test_proposing_with_responsibility_but_no_root_cause_is_refused(started, users, now):
    investigation_record(
        actor=users["handler"],
        number=started.number,
        values=parse_investigation({"responsibility": "supplier", "root_cause": "  "}),
        now=now,
    )
    with pytest.raises(Conflict):
        act(users, "handler", started, "propose_solution", now, remedies=PROPOSAL["remedies"])


def test_propose_is_not_offered_until_the_investigation_is_recorded(started, users, now):
    assert "propose_solution" not in workflow.available_actions(started, users["handler"])
    investigation_record(
        actor=users["handler"],
        number=started.number,
        values=parse_investigation({"root_cause": "冷链断链", "responsibility": "carrier"}),
        now=now,
    )
    assert "propose_solution" in workflow.available_actions(started, users["handler"])


def test_full_record_through_the_api_then_a_solution_can_be_proposed(started, users, now, client_as):
    category = level4()
    attachment = evidence(users, started, now)
    body = {
        "findings": "同批次抽检 20 件，3 件异味。",
        "evidence": [attachment.pk],
        "five_w1h": {
            "what": "牛奶异味",
            "who": "品质部 张伟",
            "when": "2026-11-02",
            "where": "二号仓",
            "why": "冷链断链",
            "how": "抽检+化验",
        },
        "lot_number": "L20261101",
        "bill_of_materials": "BOM-MILK-200",
        "process_records": "灌装记录 11-01",
        "lab_analysis": "菌落总数超标",
        "root_cause": "运输途中冷链断链 6 小时",
        "reason_category": category.code,
        "cause_class": "system_or_other_department",
        "responsibility": "ours",
        "responsible_department": "品质部",
        "responsible_person": "handler",
        "loss_amount": "1280.50",
        "penalty_amount": "200",
    }
    handler = client_as("handler")
    response = handler.put(f"/api/v1/complaints/{started.number}/investigation", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["responsibility"], data["responsible_department"], data["responsible_person"]) == (
        "ours",
        "quality",
        "handler",
    )
    assert (data["loss_amount"], data["penalty_amount"], data["reason_category"]) == (
        "1280.50",
        "200.00",
        category.code,
    )
    assert data["five_w1h"]["why"] == "冷链断链"
    assert (data["evidence"], data["ready_for_solution"]) == ([attachment.pk], True)
    stored = Investigation.objects.get(complaint=started)
    assert (stored.loss_amount, stored.penalty_amount) == (Decimal("1280.50"), Decimal("200.00"))
    assert events_of(started)[-1].kind == "investigation_recorded"
    assert audit_of(started)[-1].action == "complaint.investigation_recorded"
    assert handler.get(f"/api/v1/complaints/{started.number}/investigation").json()["root_cause"] == body["root_cause"]
    response = handler.post(f"/api/v1/complaints/{started.number}/transitions", PROPOSAL)
    assert (response.status_code, response.json()["status"]) == (200, "solution_proposed")


def test_an_update_keeps_the_fields_it_does_not_name(started, users, now):
    investigation_record(
        actor=users["handler"],
        number=started.number,
        values=parse_investigation({"root_cause": "冷链断链", "responsibility": "carrier", "findings": "初查"}),
        now=now,
    )
    investigation_record(
        actor=users["handler"], number=started.number, values=parse_investigation({"findings": "复查确认"}), now=now
    )
    stored = Investigation.objects.get(complaint=started)
    assert (stored.root_cause, stored.responsibility, stored.findings) == ("冷链断链", "carrier", "复查确认")
    assert events_of(started)[-1].data["changed"] == ["findings"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"responsibility": "ours", "root_cause": "x"}, "responsible_department"),
        ({"responsibility": "blame"}, "responsibility"),
        ({"cause_class": "fate"}, "cause_class"),
        ({"loss_amount": "-1"}, "loss_amount"),
        ({"penalty_amount": "1.234"}, "penalty_amount"),
        ({"reason_category": "product_quality.food.expired"}, "reason_category"),
        ({"responsible_person": "nobody"}, "responsible_person"),
        ({"five_w1h": {"whom": "x"}}, "five_w1h.whom"),
        ({}, None),
    ],
)
def test_bad_investigation_is_refused_with_the_field_and_nothing_written(started, client_as, body, field):
    response, unchanged = refused(client_as("handler").put, f"/api/v1/complaints/{started.number}/investigation", body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert unchanged


def test_evidence_of_another_complaint_cannot_be_linked(started, register, users, now):
    other = register()
    foreign = evidence(users, other, now)
    before = everything()
    with pytest.raises(ValidationFailed) as caught:
        investigation_record(
            actor=users["handler"],
            number=started.number,
            values=parse_investigation({"evidence": [foreign.pk]}),
            now=now,
        )
    assert caught.value.errors[0].field == "evidence"
    assert everything() == before


def test_a_responsible_person_outside_the_department_is_refused(started, users, now):
    with pytest.raises(ValidationFailed) as caught:
        investigation_record(
            actor=users["handler"],
            number=started.number,
            values=parse_investigation(
                {"responsibility": "ours", "responsible_department": "sales", "responsible_person": "handler"}
            ),
            now=now,
        )
    assert caught.value.errors[0].field == "responsible_person"


def test_not_recorded_before_assignment(register, users, now):
    complaint = register()
    with pytest.raises(Conflict):
        investigation_record(
            actor=users["supervisor"], number=complaint.number, values=parse_investigation({"root_cause": "x"}), now=now
        )


def test_auditor_and_other_departments_handler_are_refused(started, users, now):
    other = make_user("logistics_handler", "handler", "logistics")
    values = parse_investigation({"root_cause": "x"})
    before = everything()
    with pytest.raises(PermissionDenied):
        investigation_record(actor=users["auditor"], number=started.number, values=values, now=now)
    with pytest.raises(Exception) as caught:
        investigation_record(actor=other, number=started.number, values=values, now=now)
    assert getattr(caught.value, "status", None) in (403, 404)
    assert everything() == before

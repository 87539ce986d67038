"""Personal data on request (PIPL, issue 9 item 12): export, erasure with a legal hold, the
retention job; all audited, nothing written on refusal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from kesu.audit.models import AuditRecord
from kesu.audit.services import audit_seal, audit_verify
from kesu.complaints.models import Complaint
from kesu.core import tasks
from kesu.core.errors import Conflict, PermissionDenied
from kesu.customers.models import Customer
from kesu.customers.privacy import customer_erase, customer_export, legal_holds, retention_sweep
from kesu.notifications.models import OutboxMessage
from kesu.notifications.services import outbox_add

pytestmark = pytest.mark.django_db
EMAIL = "li.si@example.com"


@pytest.fixture
def withdrawn(register, complaint_in, users, now):
    """A customer with one withdrawn (ended, no money) complaint and a message sent to them."""
    complaint = complaint_in("withdrawn")
    Customer.objects.filter(pk=complaint.customer_id).update(email=EMAIL)
    Complaint.objects.filter(pk=complaint.pk).update(contact_email=EMAIL)
    outbox_add(kind="letter", recipient=EMAIL, subject="致歉信", body="尊敬的张三：……", now=now, complaint=complaint)
    complaint.refresh_from_db()
    return complaint


def _ended_years_ago(complaint: Complaint, years: int, now: dt.datetime) -> None:
    then = now - dt.timedelta(days=366 * years)
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=then, updated_at=then)


def test_export_holds_the_customer_and_their_complaints(withdrawn, users, now):
    data = customer_export(actor=users["manager"], customer_id=withdrawn.customer_id, now=now)

    assert data["customer"]["email"] == EMAIL
    assert data["customer"]["phone"] == withdrawn.customer.phone.removeprefix("+86")
    assert [c["number"] for c in data["complaints"]] == [withdrawn.number]
    assert data["complaints"][0]["contact_email"] == EMAIL
    assert data["complaints"][0]["messages"][0]["body"] == "尊敬的张三：……"
    json.dumps(data)  # JSON-ready
    record = AuditRecord.objects.get(action="customer.personal_data_exported")
    assert (record.object_id, record.actor) == (str(withdrawn.customer_id), "manager")
    assert EMAIL not in json.dumps(record.data)


def test_an_agent_may_not_export(withdrawn, users, now):
    before = AuditRecord.objects.count()

    with pytest.raises(PermissionDenied):
        customer_export(actor=users["agent"], customer_id=withdrawn.customer_id, now=now)

    assert AuditRecord.objects.count() == before


def test_erasure_anonymises_the_customer_and_contact_points(withdrawn, users, now):
    erased = customer_erase(actor=users["admin"], customer_id=withdrawn.customer_id, now=now)

    customer = Customer.objects.get(pk=withdrawn.customer_id)
    complaint = Complaint.objects.get(pk=withdrawn.pk)
    assert (customer.name, customer.phone, customer.email, customer.erased_at) == ("", None, None, now)
    assert (complaint.contact_name, complaint.contact_phone, complaint.contact_email) == ("", "", "")
    assert "张三" not in complaint.search_text
    assert list(OutboxMessage.objects.filter(complaint=complaint).values_list("recipient", "body")) == [("", "")]
    assert erased.complaints == [withdrawn.number]
    record = AuditRecord.objects.get(action="customer.personal_data_erased")
    assert record.data == {"reason": "request", "complaints": [withdrawn.number], "messages": 1}
    audit_seal()
    assert audit_verify().ok  # the complaint's status and timeline still agree with the audit


def test_erasure_is_refused_while_a_complaint_is_open(register, users, now):
    complaint = register()
    before = (AuditRecord.objects.count(), Customer.objects.get(pk=complaint.customer_id).name)

    with pytest.raises(Conflict) as refused:
        customer_erase(actor=users["manager"], customer_id=complaint.customer_id, now=now)

    assert refused.value.code == "legal_hold"
    assert str(refused.value) == f"个人信息暂不能删除：投诉 {complaint.number} 仍在处理中。"
    assert (AuditRecord.objects.count(), Customer.objects.get(pk=complaint.customer_id).name) == before


def test_a_financial_complaint_holds_the_data_for_three_years(complaint_in, users, now):
    closed = complaint_in("closed")  # a refund of 50.00 was agreed
    _ended_years_ago(closed, 2, now)

    holds = legal_holds(closed.customer, now=now)

    assert [h.number for h in holds] == [closed.number]
    with pytest.raises(Conflict) as refused:
        customer_erase(actor=users["manager"], customer_id=closed.customer_id, now=now)
    assert holds[0].until.isoformat() in str(refused.value)
    assert Customer.objects.get(pk=closed.customer_id).erased_at is None


def test_a_financial_complaint_past_three_years_may_be_erased(complaint_in, users, now):
    closed = complaint_in("closed")
    _ended_years_ago(closed, 4, now)

    customer_erase(actor=users["manager"], customer_id=closed.customer_id, now=now)

    assert Customer.objects.get(pk=closed.customer_id).erased_at == now


def test_the_retention_job_anonymises_customers_past_retention_only(complaint_in, register, users, now):
    old = complaint_in("withdrawn")
    _ended_years_ago(old, 4, now)
    recent = complaint_in("withdrawn")
    money = complaint_in("closed")
    _ended_years_ago(money, 2, now)
    still_open = register()
    _ended_years_ago(still_open, 5, now)

    assert retention_sweep(now=now) == 1

    erased = set(Customer.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {old.customer_id}
    assert AuditRecord.objects.get(action="customer.personal_data_erased").data["reason"] == "retention"
    assert retention_sweep(now=now) == 0
    assert {recent.customer_id, money.customer_id, still_open.customer_id}.isdisjoint(erased)


def test_the_retention_job_is_a_registered_daily_task():
    assert tasks.schedule()["anonymise_past_retention"] == 86400.0


def test_the_api_exports_and_erases_for_managers(withdrawn, api):
    manager = api("manager")

    exported = manager.get(f"/api/v1/customers/{withdrawn.customer_id}/personal-data")
    erased = manager.post(f"/api/v1/customers/{withdrawn.customer_id}/erasure")

    assert exported.status_code == 200 and exported.json()["customer"]["email"] == EMAIL
    assert erased.status_code == 200
    assert erased.json()["complaints"] == [withdrawn.number]


def test_the_api_refuses_agents_and_legal_holds(register, api):
    complaint = register()

    assert api("agent").get(f"/api/v1/customers/{complaint.customer_id}/personal-data").status_code == 403
    refused = api("manager", language="en").post(f"/api/v1/customers/{complaint.customer_id}/erasure")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["message"] == (
        f"Personal data cannot be erased yet: Complaint {complaint.number} is still being handled."
    )
    assert api("manager").get("/api/v1/customers/999999/personal-data").status_code == 404


def test_the_command_exports_and_erases(withdrawn, tmp_path, capsys):
    out = tmp_path / "export.json"
    call_command("personal_data", "export", "--email", EMAIL, "--as", "manager", "--output", str(out))
    assert json.loads(out.read_text())["customer"]["email"] == EMAIL

    call_command("personal_data", "erase", "--customer", str(withdrawn.customer_id), "--as", "admin")

    assert "erased customer" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("personal_data", "export", "--email", EMAIL, "--as", "manager")

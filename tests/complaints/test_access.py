"""complaint_for_action: the one way a staff service finds the complaint it acts on."""

from __future__ import annotations

import pytest
from django.db import transaction

from kesu.complaints.models import Complaint
from kesu.complaints.services.access import complaint_for_action
from kesu.core.errors import NotFound, PermissionDenied
from tests.conftest import make_user


def test_the_visible_complaint_is_found(register, users):
    complaint = register()
    with transaction.atomic():
        found = complaint_for_action(actor=users["agent"], number=complaint.number)
    assert found.pk == complaint.pk


def test_the_auditor_is_refused_before_anything_is_read(register, users, django_assert_num_queries):
    complaint = register()
    with transaction.atomic(), django_assert_num_queries(0), pytest.raises(PermissionDenied) as caught:
        complaint_for_action(actor=users["auditor"], number=complaint.number)
    assert caught.value.status == 403


def test_the_read_only_rule_can_be_left_to_the_caller(register, users):
    complaint = register()
    with transaction.atomic():
        found = complaint_for_action(actor=users["auditor"], number=complaint.number, staff_only=False)
    assert found.pk == complaint.pk


def test_unknown_and_invisible_complaints_answer_the_same_404(register, users):
    other = make_user("logistics_handler", "handler", "logistics")
    complaint = register()
    messages = []
    for actor, number in ((users["agent"], "NOPE-1"), (other, complaint.number)):
        with transaction.atomic(), pytest.raises(NotFound) as caught:
            complaint_for_action(actor=actor, number=number)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_ownership_refuses_another_departments_work(complaint_in, users):
    complaint = complaint_in("assigned")
    agent = users["agent"]  # customer service; the complaint is the quality department's now
    with transaction.atomic(), pytest.raises(PermissionDenied) as caught:
        complaint_for_action(actor=agent, number=complaint.number, own_work=True)
    assert caught.value.code == "not_own_work"
    with transaction.atomic():
        assert complaint_for_action(actor=users["handler"], number=complaint.number, own_work=True).pk == complaint.pk
    assert Complaint.objects.get(pk=complaint.pk).status == "assigned"


def test_no_service_locks_a_complaint_by_number_but_the_helper():
    """Copies of "visible, locked, or 404" drift apart; services call complaint_for_action. The
    exceptions lock a complaint found by another rule: a merge's target (a field error), the
    customer's own complaint (by contact), a department task's complaint, and batches by id."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kesu"
    copy = 'visible_complaints(actor).select_for_update(of=("self",)).filter(number=number)'
    found = [p.relative_to(root).as_posix() for p in root.rglob("*.py") if copy in p.read_text(encoding="utf-8")]
    assert found == ["complaints/services/access.py"]

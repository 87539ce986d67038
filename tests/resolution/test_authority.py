"""Managers' edits of the approval authority (SPEC DP-3): audited, one row per role and department."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.accounts.models import Department
from kesu.audit.models import AuditRecord
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.resolution.authority import authority_save
from kesu.resolution.models import ApprovalAuthority
from kesu.resolution.selectors import approval_limit

pytestmark = pytest.mark.django_db


def _state() -> tuple[object, ...]:
    return list(ApprovalAuthority.objects.order_by("id").values()), AuditRecord.objects.count()


def test_a_department_row_sets_the_limit_of_its_members(users, now):
    quality = Department.objects.get(code="quality")
    authority_save(
        actor=users["manager"],
        authority=None,
        now=now,
        values={"role": "handler", "department": quality, "limit": Decimal("50.00")},
    )
    assert approval_limit(users["handler"]) == Decimal("50.00")
    record = AuditRecord.objects.get(action="approval_authority.create")
    assert record.data["after"] == {"role": "handler", "department": "quality", "limit": "50.00"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"role": "supervisor", "department": None, "limit": Decimal("10")}, "department"),
        ({"role": "agent", "department": None, "limit": Decimal("-1")}, "limit"),
        ({"role": "pope", "department": None, "limit": Decimal("1")}, "role"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(users, now, values, field):
    before = _state()
    with pytest.raises(ValidationFailed) as error:
        authority_save(actor=users["manager"], authority=None, values=values, now=now)
    assert field in {e.field for e in error.value.errors}
    assert _state() == before


def test_only_managers_change_the_authority(users, now):
    row = ApprovalAuthority.objects.get(role="agent", department=None)
    before = _state()
    for role in ("agent", "supervisor", "handler", "auditor"):
        with pytest.raises(PermissionDenied):
            authority_save(actor=users[role], authority=row, values={"limit": Decimal("9999")}, now=now)
    assert _state() == before

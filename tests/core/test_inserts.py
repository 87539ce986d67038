"""New rows of several tables in as few statements as the database allows (kesu/core/inserts.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from kesu.accounts.models import Department
from kesu.core.inserts import insert_together
from kesu.triage.models import SeverityRule

pytestmark = pytest.mark.django_db


def test_rows_of_several_tables_go_in_together(django_assert_num_queries):
    rows = [
        Department(code="legal", name="法务部（测试）"),
        SeverityRule(code="cockroach", name="蟑螂", severity="major", keywords_zh_hans="蟑螂\n老鼠"),
        Department(code="treasury", name="资金部（测试）", active=False),
    ]

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        insert_together(rows)

    assert list(Department.objects.filter(code__in=["legal", "treasury"]).values_list("code", "active")) == [
        ("legal", True),
        ("treasury", False),
    ]
    assert SeverityRule.objects.get(code="cockroach").keywords_zh_hans == "蟑螂\n老鼠"
    assert all(not row._state.adding for row in rows)


def test_nothing_to_insert_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_together([])

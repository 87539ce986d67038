"""The queries of an intake, a list page and a detail, pinned exactly (issue 15): a change that adds
one shows here, with the list of what each statement is for."""

from __future__ import annotations

import pytest
from django.db import connection

from kesu.triage.models import SeverityRule
from tests.conftest import intake_payload

# SQLite keeps the full-text index in an FTS5 table written beside the row (a DELETE and an INSERT);
# PostgreSQL keeps a tsvector column of the row itself (kesu/complaints/search.py).
FTS = 2 if connection.vendor == "sqlite" else 0
# The new rows of four tables (event, audit record, triage suggestion, deadlines) are one statement
# on PostgreSQL, one bulk insert per table on SQLite (kesu/core/inserts.py).
ROWS = 1 if connection.vendor == "postgresql" else 4

pytestmark = pytest.mark.django_db


def test_an_intake_by_the_api(api, django_assert_num_queries):
    agent = api("agent")
    agent.post("/api/v1/complaints", intake_payload())  # the month's counter row exists from here on
    # token+user with the reference-data version (the severity rules, category, classifier, triage
    # policy and deadline settings come from the process's memory, kesu/core/reference.py);
    # savepoint; customer insert (ON CONFLICT DO NOTHING); counter; complaint (+ FTS); event, audit,
    # triage suggestion and deadline rows; release (in production the savepoint pair is
    # BEGIN/COMMIT, which the count does not see)
    with django_assert_num_queries(6 + FTS + ROWS):
        assert agent.post("/api/v1/complaints", intake_payload()).status_code == 201


def test_a_returning_customer_costs_one_lookup_more(api, django_assert_num_queries):
    agent = api("agent")
    payload = intake_payload()
    agent.post("/api/v1/complaints", payload)
    with django_assert_num_queries(7 + FTS + ROWS):  # as above, the insert yields to the customer: a lookup
        assert agent.post("/api/v1/complaints", payload).status_code == 201


def test_an_intake_after_reference_data_changed_reads_it_again(api, django_assert_num_queries):
    agent = api("agent")
    agent.post("/api/v1/complaints", intake_payload())
    SeverityRule.objects.filter(code="food_poisoning").update(name="食物中毒")  # a trigger renews the version
    # as the first, and the reference data once more: the categories, the severity rules, the
    # classifier in use, the triage policy, and the deadline configuration (settings, calendar
    # days, calendar years, kinds, policies, presets)
    with django_assert_num_queries(16 + FTS + ROWS):
        assert agent.post("/api/v1/complaints", intake_payload()).status_code == 201


def test_a_list_page(api, register, django_assert_num_queries):
    for _ in range(5):
        register()
    agent = api("agent")
    with django_assert_num_queries(2):  # token+user; the page's rows (not full: it is the count too)
        assert agent.get("/api/v1/complaints", status="registered").status_code == 200
    with django_assert_num_queries(3):  # token+user; a full page's rows; the count (capped)
        assert agent.get("/api/v1/complaints", status="registered", page_size=5).status_code == 200


def test_a_detail(api, register, django_assert_num_queries):
    complaint = register()
    agent = api("agent")
    # token+user; the complaint with its customer, category, department, assignee; the timeline;
    # who recorded it (by primary key); the complaints that repeat it
    with django_assert_num_queries(5):
        assert agent.get(f"/api/v1/complaints/{complaint.number}").status_code == 200

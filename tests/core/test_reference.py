"""Reference data kept in each process's memory and renewed by the trigger-maintained version
(kesu/core/reference.py)."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.db import connection, connections, transaction

from kesu.accounts.models import Department
from kesu.complaints.services.intake import complaint_register
from kesu.core import reference
from kesu.deadlines.configuration import sla_policy_save
from kesu.deadlines.models import DeadlineKind, SlaPolicy
from kesu.triage.models import SeverityRule
from tests.conftest import intake_payload

REFERENCE_TABLES = importlib.import_module("kesu.core.migrations.0001_reference_version").REFERENCE_TABLES


@pytest.fixture(autouse=True)
def _empty_cache():
    reference.forget_all()
    yield
    reference.forget_all()


def _counting():
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_a_key_loads_once_while_the_version_stands(db):
    _calls, load = _counting()

    assert [reference.remembered("k", load), reference.remembered("k", load)] == [1, 1]


def test_a_write_by_the_orm_loads_it_again(db):
    _calls, load = _counting()
    reference.remembered("k", load)

    Department.objects.create(code="legal", name="法务部")

    assert reference.remembered("k", load) == 2


def test_a_write_in_raw_sql_loads_it_again(db):
    _calls, load = _counting()
    reference.remembered("k", load)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE triage_severityrule SET name = name")

    assert reference.remembered("k", load) == 2


@pytest.mark.parametrize("table", REFERENCE_TABLES)
def test_every_reference_table_has_its_trigger(db, table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = 'kesu_reference_changed'",
                [table],
            )
            assert cursor.fetchone()[0] == 1
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            assert cursor.fetchone()[0] == 3  # insert, update, delete


def test_a_rolled_back_change_leaves_no_version_a_later_change_could_reuse(db):
    before = reference.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Department.objects.create(code="legal", name="法务部")
        inside = reference.current_version()
        raise RuntimeError("rolled back")
    assert reference.current_version() == before
    Department.objects.create(code="legal", name="法务部")
    assert reference.current_version() not in (before, inside)


def test_a_scope_reads_the_version_once(db, django_assert_num_queries):
    _calls, load = _counting()
    reference.remembered("a", load)
    reference.remembered("b", load)
    with django_assert_num_queries(1), reference.reference_scope():
        reference.remembered("a", load)
        reference.remembered("b", load)


def test_a_scope_takes_the_version_the_request_read_with_its_token(db, django_assert_num_queries):
    reference.observe_version(reference.current_version())
    try:
        with django_assert_num_queries(0), reference.reference_scope():
            reference.remembered("a", lambda: 1)
    finally:
        reference.forget_observed_version()


def test_no_version_row_means_nothing_is_kept(db):
    from kesu.core.models import ReferenceVersion

    ReferenceVersion.objects.all().delete()
    _calls, load = _counting()

    assert [reference.remembered("k", load), reference.remembered("k", load)] == [1, 2]


def test_a_request_forgets_the_version_it_observed(db):
    seen: list[object] = []

    def view(request):
        reference.observe_version("from-this-request")
        seen.append(reference._observed.get())
        return None

    reference.observe_version("left-by-another-request")
    reference.ReferenceVersionMiddleware(view)(None)  # type: ignore[arg-type]

    assert seen == ["from-this-request"]
    assert reference._observed.get() is reference._UNSET


# --- the intake sees the change ------------------------------------------------------------


def test_the_next_intake_applies_a_new_severity_rule(users, now):
    complaint_register(actor=users["agent"], payload=intake_payload(description="柜台有只蟑螂"), now=now)
    SeverityRule.objects.create(code="cockroach", name="蟑螂", severity="major", keywords_zh_hans="蟑螂")

    complaint = complaint_register(actor=users["agent"], payload=intake_payload(description="柜台有只蟑螂"), now=now)

    assert (complaint.severity, complaint.severity_rule.code) == ("major", "cockroach")


def test_the_next_intake_plans_with_a_deadline_policy_saved_by_its_service(users, now):
    complaint_register(actor=users["agent"], payload=intake_payload(), now=now)
    sla_policy_save(
        actor=users["manager"],
        policy=None,
        values={"kind": DeadlineKind.objects.get(code="reply"), "unit": "hours", "amount": 1, "severity": "general"},
        now=now,
    )

    complaint = complaint_register(actor=users["agent"], payload=intake_payload(), now=now)

    assert complaint.reply_due == complaint.received_at + dt.timedelta(hours=1)


def test_the_next_intake_plans_with_a_policy_changed_without_the_service(users, now):
    sla_policy_save(
        actor=users["manager"],
        policy=None,
        values={"kind": DeadlineKind.objects.get(code="reply"), "unit": "hours", "amount": 1, "severity": "general"},
        now=now,
    )
    complaint_register(actor=users["agent"], payload=intake_payload(), now=now)
    SlaPolicy.objects.filter(kind__code="reply", severity="general").update(amount=2)  # no bump_version()

    complaint = complaint_register(actor=users["agent"], payload=intake_payload(), now=now)

    assert complaint.reply_due == complaint.received_at + dt.timedelta(hours=2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_intake_sees_a_rule_another_connection_committed(users, now):
    complaint_register(actor=users["agent"], payload=intake_payload(description="柜台有只蟑螂"), now=now)

    def other_process() -> None:  # a thread has a connection of its own, as another worker has
        try:
            SeverityRule.objects.create(code="cockroach", name="蟑螂", severity="major", keywords_zh_hans="蟑螂")
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_process)
    thread.start()
    thread.join()

    complaint = complaint_register(actor=users["agent"], payload=intake_payload(description="柜台有只蟑螂"), now=now)
    assert complaint.severity == "major"

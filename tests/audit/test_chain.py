"""The hash-chained audit log (SPEC PV-2): written with every change, sealed into one chain,
and a verifier that names the first record that was changed or removed."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kesu.audit.models import AuditChainHead, AuditRecord
from kesu.audit.services import GENESIS, audit_record, audit_seal, audit_verify
from kesu.complaints.services.transitions import complaint_transition
from kesu.core.errors import Conflict


def tamper_data(record_id: int, data: dict) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditrecord SET data = %s{cast} WHERE id = %s", [json.dumps(data), record_id])


def delete_record(record_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [record_id])


@pytest.fixture
def sealed_history(register, users, now):
    """Three complaints, one acknowledged: four records, all sealed."""
    first = register()
    register()
    register()
    complaint_transition(
        actor=users["agent"], number=first.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    audit_seal()
    return list(AuditRecord.objects.order_by("chain_seq"))


def test_registration_leaves_an_audit_record(register):
    complaint = register()

    record = AuditRecord.objects.get(object_type="complaint", object_id=complaint.number)
    assert (record.action, record.actor, record.data["to"]) == ("complaint.registered", "agent", "registered")


def test_transition_leaves_an_audit_record(register, users, now):
    complaint = register()

    complaint_transition(
        actor=users["agent"], number=complaint.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )

    actions = list(
        AuditRecord.objects.filter(object_id=complaint.number)
        .order_by("id")
        .values_list("action", "data__from", "data__to")
    )
    assert actions == [
        ("complaint.registered", "", "registered"),
        ("complaint.acknowledge", "registered", "acknowledged"),
    ]


def test_refused_transition_leaves_no_audit_record(register, users, now):
    complaint = register()
    before = AuditRecord.objects.count()

    with pytest.raises(Conflict):
        complaint_transition(
            actor=users["agent"], number=complaint.number, action="close", payload={"action": "close"}, now=now
        )

    assert AuditRecord.objects.count() == before


def test_records_are_unsealed_until_the_sealer_runs(register):
    register()

    assert list(AuditRecord.objects.values_list("chain_seq", flat=True)) == [None]


def test_seal_links_every_record_in_order(sealed_history):
    assert [r.chain_seq for r in sealed_history] == [1, 2, 3, 4]
    assert sealed_history[0].prev_hash == GENESIS
    assert [r.prev_hash for r in sealed_history[1:]] == [r.chain_hash for r in sealed_history[:-1]]


def test_seal_moves_the_chain_head(sealed_history):
    head = AuditChainHead.objects.get(pk=1)

    assert (head.last_seq, head.last_hash) == (4, sealed_history[-1].chain_hash)


def test_seal_returns_how_many_it_linked(register):
    register()
    register()

    assert audit_seal() == 2


def test_sealing_again_links_nothing(sealed_history):
    assert audit_seal() == 0


def test_seal_continues_the_chain(sealed_history, register):
    register()

    audit_seal()

    latest = AuditRecord.objects.get(chain_seq=5)
    assert latest.prev_hash == sealed_history[-1].chain_hash


def test_verify_accepts_an_intact_chain(sealed_history):
    result = audit_verify()

    assert (result.ok, result.checked, result.unsealed, result.first_bad_id) == (True, 4, 0, None)


def test_verify_counts_records_not_yet_sealed(sealed_history, register):
    register()

    result = audit_verify()

    assert (result.ok, result.checked, result.unsealed) == (True, 4, 1)


def test_verify_names_a_record_whose_data_was_changed(sealed_history):
    target = sealed_history[2]
    tamper_data(target.id, {**target.data, "to": "closed"})

    result = audit_verify()

    assert (result.ok, result.first_bad_id, result.first_bad_seq, result.reason) == (
        False,
        target.id,
        3,
        "content changed",
    )


def test_verify_names_the_first_of_several_changed_records(sealed_history):
    for target in (sealed_history[3], sealed_history[1]):
        tamper_data(target.id, {"note": "rewritten"})

    assert audit_verify().first_bad_id == sealed_history[1].id


def test_verify_reports_a_deleted_record(sealed_history):
    delete_record(sealed_history[1].id)

    result = audit_verify()

    assert (result.ok, result.first_bad_id, result.first_bad_seq) == (False, sealed_history[2].id, 3)
    assert result.reason == "record(s) missing before sequence 3"


def test_verify_reports_the_last_record_deleted(sealed_history):
    delete_record(sealed_history[-1].id)

    result = audit_verify()

    assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "records missing at the end of the chain")


def test_verify_names_a_record_whose_chain_link_was_rewritten(sealed_history):
    target = sealed_history[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET prev_hash = %s WHERE id = %s", [GENESIS, target.id])

    result = audit_verify()

    assert (result.ok, result.first_bad_id, result.reason) == (False, target.id, "chain link broken")


def test_verify_names_an_unsealed_record_that_was_changed(register):
    complaint = register()
    record = AuditRecord.objects.get(object_id=complaint.number)
    tamper_data(record.id, {"to": "closed"})

    result = audit_verify()

    assert (result.ok, result.first_bad_id, result.reason) == (False, record.id, "content changed (not yet sealed)")


def test_sealer_leaves_a_changed_record_out_of_the_chain(register):
    complaint = register()
    record = AuditRecord.objects.get(object_id=complaint.number)
    tamper_data(record.id, {"to": "closed"})

    audit_seal()

    record.refresh_from_db()
    assert record.chain_seq is None


def test_command_verify_reports_ok(sealed_history, capsys):
    call_command("audit", "verify")

    assert capsys.readouterr().out.strip() == "OK: 4 record(s) verified, 0 pending"


def test_command_verify_seals_pending_records_first(register, capsys):
    register()

    call_command("audit", "verify")

    assert capsys.readouterr().out.strip() == "OK: 1 record(s) verified, 0 pending"


def test_command_verify_fails_naming_the_changed_record(sealed_history):
    target = sealed_history[1]
    tamper_data(target.id, {"note": "rewritten"})

    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify")

    assert str(failed.value).startswith(f"TAMPERED: record id={target.id} seq=2: content changed")


def test_command_verify_fails_naming_the_record_after_a_deleted_one(sealed_history):
    delete_record(sealed_history[0].id)

    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify")

    assert str(failed.value).startswith(
        f"TAMPERED: record id={sealed_history[1].id} seq=2: record(s) missing before sequence 2"
    )


def test_digest_covers_every_field(db, now):
    record = audit_record(actor=None, action="test.thing", object_type="thing", object_id="1", data={"a": 1}, at=now)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET object_id = '2' WHERE id = %s", [record.id])

    assert audit_verify().first_bad_id == record.id


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sealers_assign_each_sequence_once(db, now):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sealers need PostgreSQL row locks")
    for index in range(300):
        audit_record(
            actor=None, action="test.bulk", object_type="thing", object_id=str(index), data={"index": index}, at=now
        )
    failures: list[BaseException] = []
    sealed: list[int] = []
    start = threading.Barrier(4)

    def seal() -> None:
        try:
            start.wait()
            sealed.append(audit_seal(batch_size=7))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    sealers = [threading.Thread(target=seal) for _ in range(4)]
    for thread in sealers:
        thread.start()
    for thread in sealers:
        thread.join()

    assert failures == []
    assert sum(sealed) == 300
    assert sorted(AuditRecord.objects.values_list("chain_seq", flat=True)) == list(range(1, 301))
    assert audit_verify().ok

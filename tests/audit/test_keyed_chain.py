"""The keyed, anchored audit chain (issue 9, item 4): a rewrite without the key, a deleted tail,
and a complaint edited behind the audit's back are all reported by `kesu audit verify`."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import stat

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from kesu.audit import keys
from kesu.audit.anchors import read_anchors
from kesu.audit.models import AuditChainHead, AuditRecord
from kesu.audit.services import (
    GENESIS,
    _canonical,
    audit_anchor,
    audit_record,
    audit_seal,
    audit_verify,
    chain_hash,
    record_digest,
)
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.services.transitions import complaint_transition


def plain_digest(record: AuditRecord) -> str:
    return hashlib.sha256(
        _canonical(
            at=record.at,
            actor_id=record.actor_id,
            actor=record.actor,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            data=record.data,
        )
    ).hexdigest()


def plain_link(prev: str, digest: str, seq: int) -> str:
    return hashlib.sha256(f"{seq}:{prev}:{digest}".encode()).hexdigest()


def rewrite_from(records: list[AuditRecord], index: int, data: dict, *, digest, link) -> None:
    """What someone with database write access can do: change a record, then recompute its
    digest, every later link and the head, with the functions given."""
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    records = [AuditRecord.objects.get(pk=r.pk) for r in records]
    records[index].data = data
    prev = records[index - 1].chain_hash if index else GENESIS
    with connection.cursor() as cursor:
        for record in records[index:]:
            new_digest = digest(record)
            new_hash = link(prev, new_digest, record.chain_seq)
            cursor.execute(
                f"UPDATE audit_auditrecord SET data = %s{cast}, digest = %s, prev_hash = %s, "
                "chain_hash = %s WHERE id = %s",
                [json.dumps(record.data), new_digest, prev, new_hash, record.id],
            )
            prev = new_hash
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])


@pytest.fixture
def history(register, users, now):
    """Three complaints, one acknowledged: four audit records, sealed."""
    first = register()
    register()
    register()
    complaint_transition(
        actor=users["agent"], number=first.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    audit_seal()
    return list(AuditRecord.objects.order_by("chain_seq"))


def test_links_and_digests_are_keyed(history):
    record = history[1]

    assert record.digest != plain_digest(record)
    assert record.chain_hash != plain_link(record.prev_hash, record.digest, 2)
    assert record.chain_hash == chain_hash(record.prev_hash, record.digest, 2)


def test_a_chain_rewritten_without_the_key_is_reported(history):
    target = history[1]
    rewrite_from(history, 1, {**target.data, "note": "rewritten"}, digest=plain_digest, link=plain_link)

    result = audit_verify()

    assert (result.ok, result.first_bad_id, result.first_bad_seq, result.reason) == (
        False,
        target.id,
        2,
        "content changed",
    )


def test_an_anchored_chain_rewritten_even_with_the_key_is_reported(history):
    audit_verify()  # anchors the head (seq 4)
    rewrite_from(
        history,
        2,
        {**history[2].data, "note": "rewritten"},
        digest=record_digest,
        link=lambda prev, digest, seq: chain_hash(prev, digest, seq),
    )
    ComplaintEvent.objects.filter(complaint__number=history[2].object_id).update(note="rewritten")

    result = audit_verify()

    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.reason == "chain rewritten: the record at sequence 4 does not match its anchor"


def test_a_deleted_tail_behind_the_last_anchor_is_reported(history):
    audit_verify()
    last, before = history[-1], history[-2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [last.id])
        cursor.execute("UPDATE audit_auditchainhead SET last_seq = 3, last_hash = %s WHERE id = 1", [before.chain_hash])
    # The timeline event goes too, so only the anchor can tell.
    ComplaintEvent.objects.filter(kind="acknowledge").delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET status = 'registered' WHERE number = %s", [last.object_id])

    result = audit_verify()

    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.reason == (
        "records missing at the end of the chain: the head is at sequence 3, behind the anchor at sequence 4"
    )


def test_verify_anchors_an_intact_head_once(history):
    assert audit_verify().ok
    assert audit_verify().ok

    anchors = read_anchors()
    assert [(a.seq, a.hash, a.valid) for a in anchors] == [(4, history[-1].chain_hash, True)]


def test_the_anchor_task_copies_the_head_out(history, now):
    assert audit_anchor(now=now) is True
    assert audit_anchor(now=now) is False  # unchanged head: no new line

    assert [a.seq for a in read_anchors()] == [4]


def test_an_altered_anchor_line_is_reported(history, settings):
    audit_verify()
    path = settings.KESU_AUDIT_ANCHOR_FILE
    with open(path) as handle:
        line = json.loads(handle.read())
    line["seq"] = 2
    with open(path, "w") as handle:
        handle.write(json.dumps(line) + "\n")

    result = audit_verify()

    assert (result.ok, result.reason) == (False, "an anchor line was altered (its signature does not match)")


def test_a_complaint_status_edited_behind_the_audit_is_reported(history):
    number = history[0].object_id
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET status = 'closed' WHERE number = %s", [number])

    result = audit_verify()

    assert (result.ok, result.complaint) == (False, number)
    assert result.reason == (f"complaint {number}: status 'closed' disagrees with the audit trail ('acknowledged')")


def test_a_timeline_event_edited_behind_the_audit_is_reported(history):
    number = history[0].object_id
    ComplaintEvent.objects.filter(complaint__number=number, kind="acknowledge").update(note="客户已同意撤诉")

    result = audit_verify()

    assert (result.ok, result.complaint) == (False, number)
    assert result.reason.startswith(f"complaint {number}: timeline event 'complaint.acknowledge' at ")
    assert result.reason.endswith("has no matching audit record (edited or added behind the audit's back)")


def test_a_timeline_event_deleted_behind_the_audit_is_reported(history):
    number = history[0].object_id
    ComplaintEvent.objects.filter(complaint__number=number, kind="acknowledge").delete()

    result = audit_verify()

    assert (result.ok, result.complaint) == (False, number)
    assert "audit record 'complaint.acknowledge'" in result.reason


def test_a_deleted_complaint_is_reported(history):
    number = history[1].object_id
    complaint_id = Complaint.objects.get(number=number).pk
    with connection.cursor() as cursor:
        # what refers to the complaint goes first, as someone deleting it by hand would have to
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if getattr(field, "related_model", None) is not Complaint or not field.concrete:
                    continue
                if field.many_to_one or field.one_to_one:
                    table, column = model._meta.db_table, field.column
                elif field.many_to_many:
                    table, column = field.remote_field.through._meta.db_table, field.m2m_reverse_name()
                else:
                    continue
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [complaint_id])
        cursor.execute("DELETE FROM complaints_complaint WHERE id = %s", [complaint_id])

    result = audit_verify()

    assert (result.ok, result.complaint) == (False, number)
    assert result.reason == f"complaint {number}: audited but no longer in the database (deleted)"


def test_the_command_names_the_complaint(history):
    number = history[0].object_id
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET status = 'closed' WHERE number = %s", [number])

    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify")

    assert str(failed.value).startswith(f"TAMPERED: complaint {number}: status 'closed'")


def test_a_chain_written_before_keying_verifies_from_its_cut_over(db, now):
    """Records and links from before the key keep their plain hashes; the head records where
    keying began (what migration 0002 does to an existing installation)."""
    old = [
        audit_record(actor=None, action="test.old", object_type="thing", object_id=str(i), data={"i": i}, at=now)
        for i in range(2)
    ]
    for record in old:
        AuditRecord.objects.filter(pk=record.pk).update(digest=plain_digest(record))
    prev = GENESIS
    for seq, record in enumerate(old, start=1):
        link = plain_link(prev, plain_digest(record), seq)
        AuditRecord.objects.filter(pk=record.pk).update(chain_seq=seq, prev_hash=prev, chain_hash=link)
        prev = link
    AuditChainHead.objects.create(pk=1, last_seq=2, last_hash=prev)
    migration = importlib.import_module("kesu.audit.migrations.0002_keyed_chain")

    migration.record_cut_over(apps, None)
    audit_record(actor=None, action="test.new", object_type="thing", object_id="3", data={}, at=now)
    audit_seal()

    head = AuditChainHead.objects.get(pk=1)
    assert (head.keyed_from_seq, head.keyed_from_id) == (3, old[-1].id + 1)
    assert audit_verify().ok
    new = AuditRecord.objects.get(chain_seq=3)
    assert new.chain_hash == chain_hash(new.prev_hash, new.digest, 3)


def test_moving_the_cut_over_to_pass_off_a_rewrite_is_reported(history):
    audit_verify()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET keyed_from_seq = 100, keyed_from_id = 100000 WHERE id = 1")
    rewrite_from(history, 0, {**history[0].data}, digest=plain_digest, link=plain_link)

    result = audit_verify()

    assert (result.ok, result.reason) == (False, "the keyed cut-over point was moved since it was anchored")


def test_the_key_file_is_created_private_on_first_use(settings, tmp_path):
    settings.KESU_AUDIT_KEY = ""
    settings.KESU_AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit.key")

    key = keys.audit_key()

    assert len(key) == 64
    assert stat.S_IMODE(os.stat(settings.KESU_AUDIT_KEY_FILE).st_mode) == 0o600
    keys._cache.clear()
    assert keys.audit_key() == key  # read back, not replaced


def test_the_key_from_the_environment_wins(settings, tmp_path):
    settings.KESU_AUDIT_KEY = "from-the-environment"
    settings.KESU_AUDIT_KEY_FILE = str(tmp_path / "audit.key")

    assert keys.audit_key() == b"from-the-environment"
    assert not (tmp_path / "audit.key").exists()


def test_the_command_can_verify_without_anchoring(history, settings):
    call_command("audit", "verify", "--no-anchor")

    assert read_anchors() == []


def test_an_anchor_file_that_lost_its_anchors_is_reported(history, settings):
    audit_verify()
    os.remove(settings.KESU_AUDIT_ANCHOR_FILE)

    result = audit_verify()

    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.reason == ("the anchor file lost anchors: the database records one at sequence 4, the file does not")

"""An installation whose chain was written before keying: migration 0002 records the cut-over,
the old part verifies with its plain SHA-256 hashes and new records are keyed."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kesu.audit.models import AuditChainHead, AuditRecord
from kesu.audit.services import _canonical, audit_record, audit_seal, audit_verify, chain_hash, record_digest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def test_a_chain_written_before_keying_verifies_after_the_migration(now):
    _migrate(("audit", "0001_initial"))
    try:
        with connection.cursor() as cursor:
            prev = "0" * 64
            for seq in (1, 2):
                content = _canonical(
                    at=now,
                    actor_id=None,
                    actor="",
                    action="old.thing",
                    object_type="thing",
                    object_id=str(seq),
                    data={"seq": seq},
                )
                digest = hashlib.sha256(content).hexdigest()
                link = hashlib.sha256(f"{seq}:{prev}:{digest}".encode()).hexdigest()
                cursor.execute(
                    "INSERT INTO audit_auditrecord (at, actor_id, actor, action, object_type, object_id, data, "
                    "digest, chain_seq, prev_hash, chain_hash) VALUES (%s, NULL, '', 'old.thing', 'thing', %s, %s, "
                    "%s, %s, %s, %s)",
                    [now, str(seq), f'{{"seq": {seq}}}', digest, seq, prev, link],
                )
                prev = link
            cursor.execute("INSERT INTO audit_auditchainhead (id, last_seq, last_hash) VALUES (1, 2, %s)", [prev])
    finally:
        _migrate(("audit", "0002_keyed_chain"))

    head = AuditChainHead.objects.get(pk=1)
    last_old = AuditRecord.objects.get(chain_seq=2)
    assert (head.keyed_from_seq, head.keyed_from_id) == (3, last_old.id + 1)
    assert audit_verify().ok

    audit_record(actor=None, action="new.thing", object_type="thing", object_id="3", data={}, at=now)
    audit_seal()
    new = AuditRecord.objects.get(chain_seq=3)
    assert new.digest == record_digest(new)
    assert new.chain_hash == chain_hash(new.prev_hash, new.digest, 3)
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 3)

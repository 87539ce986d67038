"""Writing, sealing and verifying the hash-chained audit log (SPEC PV-2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kesu.audit.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def _canonical(*, at: dt.datetime, actor_id: int | None, actor: str, action: str,
               object_type: str, object_id: str, data: dict[str, Any]) -> bytes:
    payload = {
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def record_digest(record: AuditRecord) -> str:
    return hashlib.sha256(
        _canonical(at=record.at, actor_id=record.actor_id, actor=record.actor, action=record.action,
                   object_type=record.object_type, object_id=record.object_id, data=record.data)
    ).hexdigest()


def chain_hash(prev_hash: str, digest: str, seq: int) -> str:
    return hashlib.sha256(f"{seq}:{prev_hash}:{digest}".encode()).hexdigest()


def audit_build(*, actor: Any, action: str, object_type: str, object_id: str,
                data: dict[str, Any], at: dt.datetime) -> AuditRecord:
    """An unsaved record with its digest; callers save it inside their transaction."""
    record = AuditRecord(
        at=at,
        actor_id=getattr(actor, "pk", None),
        actor=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data, default=str)),
    )
    record.digest = record_digest(record)
    return record


def audit_record(*, actor: Any, action: str, object_type: str, object_id: str,
                 data: dict[str, Any], at: dt.datetime) -> AuditRecord:
    record = audit_build(actor=actor, action=action, object_type=object_type,
                         object_id=object_id, data=data, at=at)
    record.save(force_insert=True)
    return record


def audit_seal(*, batch_size: int = 5000) -> int:
    """Link every committed, unsealed record into the chain. Safe to run concurrently."""
    sealed = 0
    while True:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
            pending = list(
                AuditRecord.objects.filter(chain_seq__isnull=True).order_by("id")[:batch_size]
            )
            if not pending:
                return sealed
            seq, prev = head.last_seq, head.last_hash
            intact = []
            for record in pending:
                if record_digest(record) != record.digest:
                    # Changed before it was sealed: leave it out of the chain for verify to report.
                    break
                intact.append(record)
            pending = intact
            if not pending:
                return sealed
            for record in pending:
                seq += 1
                record.chain_seq = seq
                record.prev_hash = prev
                record.chain_hash = chain_hash(prev, record.digest, seq)
                prev = record.chain_hash
            AuditRecord.objects.bulk_update(pending, ["chain_seq", "prev_hash", "chain_hash"], batch_size=1000)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
            sealed += len(pending)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    unsealed: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    reason: str = ""


def audit_verify(*, chunk: int = 5000) -> VerifyResult:
    """Recompute every digest and chain link in chain order; report the first broken record."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev, expected_seq, checked = GENESIS, 0, 0
    last_seq = 0
    while True:
        rows = list(
            AuditRecord.objects.filter(chain_seq__isnull=False, chain_seq__gt=last_seq)
            .order_by("chain_seq")[:chunk]
        )
        if not rows:
            break
        for record in rows:
            expected_seq += 1
            assert record.chain_seq is not None
            if record.chain_seq != expected_seq:
                return VerifyResult(False, checked, 0, record.id, record.chain_seq,
                                    f"record(s) missing before sequence {record.chain_seq}")
            if record_digest(record) != record.digest:
                return VerifyResult(False, checked, 0, record.id, record.chain_seq, "content changed")
            if record.prev_hash != expected_prev or chain_hash(
                record.prev_hash, record.digest, record.chain_seq
            ) != record.chain_hash:
                return VerifyResult(False, checked, 0, record.id, record.chain_seq, "chain link broken")
            expected_prev = record.chain_hash
            checked += 1
        last_seq = rows[-1].chain_seq or 0
    if head is not None and (head.last_seq != expected_seq or head.last_hash != expected_prev):
        return VerifyResult(False, checked, 0, None, expected_seq + 1,
                            "records missing at the end of the chain")
    unsealed_rows = AuditRecord.objects.filter(chain_seq__isnull=True)
    for record in unsealed_rows.iterator(chunk_size=chunk):
        if record_digest(record) != record.digest:
            return VerifyResult(False, checked, 0, record.id, None, "content changed (not yet sealed)")
    return VerifyResult(True, checked, unsealed_rows.count())

"""Writing, sealing and verifying the hash-chained audit log (SPEC PV-2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kesu.audit.keys import audit_key
from kesu.audit.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def _canonical(
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> bytes:
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


def _hash(content: bytes, *, keyed: bool) -> str:
    if keyed:
        return hmac.new(audit_key(), content, hashlib.sha256).hexdigest()
    return hashlib.sha256(content).hexdigest()


def keyed_digester() -> Callable[[bytes], str]:
    """`_hash(content, keyed=True)` for many records: the key looked up and the HMAC's key
    schedule computed once (bulk writers such as the deadline sweep)."""
    base = hmac.new(audit_key(), digestmod=hashlib.sha256)

    def digest(content: bytes) -> str:
        mac = base.copy()
        mac.update(content)
        return mac.hexdigest()

    return digest


def audit_content(record: AuditRecord) -> bytes:
    """What a record's digest is computed over."""
    return _canonical(
        at=record.at,
        actor_id=record.actor_id,
        actor=record.actor,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        data=record.data,
    )


def record_digest(record: AuditRecord, *, keyed: bool = True) -> str:
    """HMAC-SHA256 of the record's content under the audit key; plain SHA-256 for records
    written before the chain was keyed (`AuditChainHead.keyed_from_id`)."""
    return _hash(
        _canonical(
            at=record.at,
            actor_id=record.actor_id,
            actor=record.actor,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            data=record.data,
        ),
        keyed=keyed,
    )


def chain_hash(prev_hash: str, digest: str, seq: int, *, keyed: bool = True) -> str:
    return _hash(f"{seq}:{prev_hash}:{digest}".encode(), keyed=keyed)


def audit_build(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    at: dt.datetime,
    digester: Callable[[bytes], str] | None = None,
) -> AuditRecord:
    """An unsaved record with its digest; callers save it inside their transaction. `digester`:
    a `keyed_digester()` for a caller that builds many."""
    record = AuditRecord(
        at=at,
        actor_id=getattr(actor, "pk", None),
        actor=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data, default=str)),
    )
    record.digest = record_digest(record) if digester is None else digester(audit_content(record))
    return record


def audit_record(
    *, actor: Any, action: str, object_type: str, object_id: str, data: dict[str, Any], at: dt.datetime
) -> AuditRecord:
    record = audit_build(actor=actor, action=action, object_type=object_type, object_id=object_id, data=data, at=at)
    record.save(force_insert=True)
    return record


def audit_seal(*, batch_size: int = 5000) -> int:
    """Link every committed, unsealed record into the chain. Safe to run concurrently."""
    sealed = 0
    while True:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
            pending = list(AuditRecord.objects.filter(chain_seq__isnull=True).order_by("id")[:batch_size])
            if not pending:
                return sealed
            seq, prev = head.last_seq, head.last_hash
            intact = []
            for record in pending:
                if record_digest(record, keyed=record.id >= head.keyed_from_id) != record.digest:
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
                record.chain_hash = chain_hash(prev, record.digest, seq, keyed=seq >= head.keyed_from_seq)
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
    complaint: str = ""  # the number of a complaint whose status or timeline disagrees with the audit


def audit_verify(*, chunk: int = 5000, anchor: bool = True, now: dt.datetime | None = None) -> VerifyResult:
    """Recompute every digest and chain link in chain order, check the chain against the anchors
    kept outside the database, and each complaint's status and timeline against its audit
    records; report the first problem. An intact chain is anchored afterwards (`anchor=False`
    to only look)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    keyed_from_seq = head.keyed_from_seq if head else 1
    keyed_from_id = head.keyed_from_id if head else 1
    expected_prev, expected_seq, checked = GENESIS, 0, 0
    last_seq = 0
    while True:
        rows = list(
            AuditRecord.objects.filter(chain_seq__isnull=False, chain_seq__gt=last_seq).order_by("chain_seq")[:chunk]
        )
        if not rows:
            break
        for record in rows:
            expected_seq += 1
            assert record.chain_seq is not None
            if record.chain_seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    0,
                    record.id,
                    record.chain_seq,
                    f"record(s) missing before sequence {record.chain_seq}",
                )
            if record_digest(record, keyed=record.id >= keyed_from_id) != record.digest:
                return VerifyResult(False, checked, 0, record.id, record.chain_seq, "content changed")
            if (
                record.prev_hash != expected_prev
                or chain_hash(
                    record.prev_hash, record.digest, record.chain_seq, keyed=record.chain_seq >= keyed_from_seq
                )
                != record.chain_hash
            ):
                return VerifyResult(False, checked, 0, record.id, record.chain_seq, "chain link broken")
            expected_prev = record.chain_hash
            checked += 1
        last_seq = rows[-1].chain_seq or 0
    if head is not None and (head.last_seq != expected_seq or head.last_hash != expected_prev):
        return VerifyResult(False, checked, 0, None, expected_seq + 1, "records missing at the end of the chain")
    problem = _check_anchors(
        head_seq=expected_seq,
        keyed_from_seq=keyed_from_seq,
        keyed_from_id=keyed_from_id,
        anchored_seq=head.anchored_seq if head else 0,
    )
    if problem is not None:
        seq, reason = problem
        return VerifyResult(False, checked, 0, None, seq, reason)
    unsealed_rows = AuditRecord.objects.filter(chain_seq__isnull=True)
    for record in unsealed_rows.iterator(chunk_size=chunk):
        if record_digest(record, keyed=record.id >= keyed_from_id) != record.digest:
            return VerifyResult(False, checked, 0, record.id, None, "content changed (not yet sealed)")
    disagreement = _check_complaints()
    if disagreement is not None:
        number, reason = disagreement
        return VerifyResult(False, checked, 0, None, None, reason, complaint=number)
    if anchor and head is not None and expected_seq:
        from kesu.audit.anchors import append_anchor
        from kesu.core import clock

        append_anchor(
            seq=expected_seq,
            hash_=expected_prev,
            keyed_from_seq=keyed_from_seq,
            keyed_from_id=keyed_from_id,
            now=now or clock.now(),
        )
        _note_anchored(expected_seq)
    return VerifyResult(True, checked, unsealed_rows.count())


def _note_anchored(seq: int) -> None:
    AuditChainHead.objects.filter(pk=1, anchored_seq__lt=seq).update(anchored_seq=seq)


def audit_anchor(*, now: dt.datetime) -> bool:
    """Append the current chain head to the anchor file (a scheduled task): True when written."""
    from kesu.audit.anchors import append_anchor

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or not head.last_seq:
        return False
    written = append_anchor(
        seq=head.last_seq,
        hash_=head.last_hash,
        keyed_from_seq=head.keyed_from_seq,
        keyed_from_id=head.keyed_from_id,
        now=now,
    )
    _note_anchored(head.last_seq)
    return written


def _check_anchors(
    *, head_seq: int, keyed_from_seq: int, keyed_from_id: int, anchored_seq: int
) -> tuple[int | None, str] | None:
    from kesu.audit.anchors import read_anchors

    anchors = read_anchors()
    for anchor in anchors:
        if not anchor.valid:
            return anchor.seq or None, "an anchor line was altered (its signature does not match)"
        if (anchor.keyed_from_seq, anchor.keyed_from_id) != (keyed_from_seq, keyed_from_id):
            return anchor.seq, "the keyed cut-over point was moved since it was anchored"
    if anchored_seq and max((a.seq for a in anchors), default=0) < anchored_seq:
        return anchored_seq, (
            f"the anchor file lost anchors: the database records one at sequence {anchored_seq}, the file does not"
        )
    if not anchors:
        return None
    # A restore from a backup legitimately moves the head back: only anchors from the last
    # restore on bound the head; earlier ones are still checked up to the restored head.
    restores = [index for index, a in enumerate(anchors) if a.kind == "restore"]
    since_restore = anchors[restores[-1] :] if restores else anchors
    latest = max(since_restore, key=lambda a: a.seq)
    if head_seq < latest.seq:
        return head_seq + 1, (
            f"records missing at the end of the chain: the head is at sequence {head_seq}, "
            f"behind the anchor at sequence {latest.seq}"
        )
    wanted: dict[int, str] = {a.seq: a.hash for a in anchors if a.seq <= head_seq and a.seq}
    seqs = sorted(wanted)
    for start in range(0, len(seqs), 1000):
        part = seqs[start : start + 1000]
        found = dict(AuditRecord.objects.filter(chain_seq__in=part).values_list("chain_seq", "chain_hash"))
        for seq in part:
            if found.get(seq) != wanted[seq]:
                return seq, f"chain rewritten: the record at sequence {seq} does not match its anchor"
    return None


def _normalised(data: dict[str, Any]) -> str:
    return json.dumps(json.loads(json.dumps(data, default=str)), sort_keys=True, ensure_ascii=False)


def _check_complaints(*, chunk: int = 500) -> tuple[str, str] | None:
    """Each complaint's timeline must be exactly its audit records (same kind, time, actor,
    statuses, note and data), and its status the last status the audit trail records."""
    from kesu.complaints.models import Complaint, ComplaintEvent

    numbers_with_audit = set(
        AuditRecord.objects.filter(object_type="complaint").values_list("object_id", flat=True).distinct()
    )
    last_pk = 0
    seen: set[str] = set()
    while True:
        complaints = list(
            Complaint.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", "number", "status")[:chunk]
        )
        if not complaints:
            break
        last_pk = complaints[-1][0]
        by_pk = {pk: number for pk, number, _status in complaints}
        timeline: dict[str, list[tuple[str, str, int | None, str]]] = {number: [] for number in by_pk.values()}
        for event in (
            ComplaintEvent.objects.filter(complaint_id__in=by_pk)
            .order_by("id")
            .values("complaint_id", "kind", "at", "actor_id", "from_status", "to_status", "note", "data")
        ):
            data = {"from": event["from_status"], "to": event["to_status"], "note": event["note"], **event["data"]}
            timeline[by_pk[event["complaint_id"]]].append(
                (
                    f"complaint.{event['kind']}",
                    event["at"].astimezone(dt.UTC).isoformat(),
                    event["actor_id"],
                    _normalised(data),
                )
            )
        audited: dict[str, list[tuple[str, str, int | None, str]]] = {number: [] for number in by_pk.values()}
        last_status: dict[str, str] = {}
        for record in (
            AuditRecord.objects.filter(object_type="complaint", object_id__in=list(by_pk.values()))
            .order_by("id")
            .values("object_id", "action", "at", "actor_id", "data")
        ):
            audited[record["object_id"]].append(
                (
                    record["action"],
                    record["at"].astimezone(dt.UTC).isoformat(),
                    record["actor_id"],
                    _normalised(record["data"]),
                )
            )
            if isinstance(record["data"], dict) and record["data"].get("to"):
                last_status[record["object_id"]] = str(record["data"]["to"])
        for _pk, number, status in complaints:
            seen.add(number)
            events, records = sorted(timeline[number]), sorted(audited[number])
            if events != records:
                extra = [e for e in events if e not in records]
                missing = [r for r in records if r not in events]
                if extra:
                    return number, (
                        f"complaint {number}: timeline event '{extra[0][0]}' at {extra[0][1]} "
                        "has no matching audit record (edited or added behind the audit's back)"
                    )
                return number, (
                    f"complaint {number}: audit record '{missing[0][0]}' at {missing[0][1]} "
                    "has no timeline event (removed or edited behind the audit's back)"
                )
            if last_status.get(number) != status:
                return number, (
                    f"complaint {number}: status '{status}' disagrees with the audit trail "
                    f"('{last_status.get(number, '')}')"
                )
    for number in sorted(numbers_with_audit - seen):
        return number, f"complaint {number}: audited but no longer in the database (deleted)"
    return None

"""Anchors: copies of the chain head kept outside the database (SPEC PV-2).

Each anchor is one JSON line appended to `KESU_AUDIT_ANCHOR_FILE` (default
`$KESU_DATA_DIR/audit-anchors.jsonl`): the sequence and hash of the head, the keyed cut-over and
an HMAC of the line under the audit key. A database rewrite cannot move an anchor, so the
verifier reports a chain whose anchored records changed, and a head behind the last anchor (a
deleted tail). docs/audit.md describes shipping anchors to a write-once store as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from kesu.audit.keys import audit_key


@dataclass(frozen=True)
class Anchor:
    at: str
    seq: int
    hash: str
    keyed_from_seq: int
    keyed_from_id: int
    valid: bool  # the line's own HMAC checks out
    kind: str = "head"  # "restore": the database was restored from a backup to this head


def anchor_file() -> Path:
    configured = getattr(settings, "KESU_AUDIT_ANCHOR_FILE", "") or ""
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-anchors.jsonl"


def _mac(fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(audit_key(), body, hashlib.sha256).hexdigest()


def read_anchors() -> list[Anchor]:
    path = anchor_file()
    if not path.exists():
        return []
    anchors = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                raw = json.loads(line)
                fields = {k: raw[k] for k in ("at", "seq", "hash", "keyed_from_seq", "keyed_from_id")}
                if "kind" in raw:
                    fields["kind"] = raw["kind"]
                valid = hmac.compare_digest(str(raw.get("mac", "")), _mac(fields))
                anchors.append(Anchor(valid=valid, **fields))
            except (ValueError, KeyError, TypeError):
                anchors.append(Anchor(at="", seq=0, hash="", keyed_from_seq=0, keyed_from_id=0, valid=False))
    return anchors


def last_anchor() -> Anchor | None:
    anchors = read_anchors()
    return anchors[-1] if anchors else None


def append_anchor(
    *, seq: int, hash_: str, keyed_from_seq: int, keyed_from_id: int, now: dt.datetime, kind: str = "head"
) -> bool:
    """Append the head unless it is already the last anchor. O_APPEND and fsync: a line is
    written whole or not at all, and survives a crash once this returns."""
    previous = last_anchor()
    if kind == "head" and previous is not None and previous.valid and (previous.seq, previous.hash) == (seq, hash_):
        return False
    fields: dict[str, Any] = {
        "at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "seq": seq,
        "hash": hash_,
        "keyed_from_seq": keyed_from_seq,
        "keyed_from_id": keyed_from_id,
    }
    if kind != "head":
        fields["kind"] = kind
    line = json.dumps({**fields, "mac": _mac(fields)}, sort_keys=True, separators=(",", ":")) + "\n"
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return True

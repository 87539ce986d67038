"""Backup and restore of the database (issue 9, item 12).

SQLite: the online backup API (a consistent copy while the server runs, WAL included).
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`. Evidence files (MEDIA_ROOT), the
audit key and the anchor file live outside the database: back them up as well (docs/operations.md).
After a restore a signed `restore` anchor is appended, so `kesu audit verify` accepts the
restored (older) head while still checking every earlier anchor it can.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections


class BackupError(Exception):
    pass


def _database() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def default_destination(now: dt.datetime) -> Path:
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.DATA_DIR) / "backups" / f"kesu-{stamp}.{suffix}"


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def backup_database(*, destination: Path) -> Path:
    db = _database()
    destination.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(destination))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env(db)
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(destination), str(db["NAME"])], env)
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    os.chmod(destination, 0o600)  # it holds customers' personal data
    return destination


def restore_database(*, source: Path, now: dt.datetime) -> None:
    """Replace the database's content with the backup's. Stop the server and workers first."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    db = _database()
    connections.close_all()
    if connection.vendor == "sqlite":
        backup = sqlite3.connect(str(source))
        live = sqlite3.connect(str(db["NAME"]))
        try:
            with live:
                backup.backup(live)
        finally:
            live.close()
            backup.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env(db)
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                str(db["NAME"]),
                str(source),
            ],
            env,
        )
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    _anchor_restore(now=now)


def media_destination(database_backup: Path) -> Path:
    return database_backup.with_name(database_backup.name + ".media.tar.gz")


def backup_media(*, destination: Path) -> Path:
    """The evidence files (MEDIA_ROOT) as a gzipped tar, mode 0600."""
    root = Path(settings.MEDIA_ROOT)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(destination, "w:gz") as archive:
        if root.exists():
            archive.add(root, arcname=".")
    os.chmod(destination, 0o600)
    return destination


def restore_media(*, source: Path) -> None:
    """Unpack the evidence files into MEDIA_ROOT (existing files with the same names replaced);
    the archive may not write outside it (tarfile's data filter)."""
    if not source.is_file():
        raise BackupError(f"no media archive at {source}")
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:gz") as archive:
        archive.extractall(root, filter="data")


def _anchor_restore(*, now: dt.datetime) -> None:
    from kesu.audit.anchors import append_anchor
    from kesu.audit.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        append_anchor(
            seq=head.last_seq,
            hash_=head.last_hash,
            keyed_from_seq=head.keyed_from_seq,
            keyed_from_id=head.keyed_from_id,
            now=now,
            kind="restore",
        )


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")

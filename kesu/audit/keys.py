"""The audit chain's key, kept outside the database (SPEC PV-2).

`KESU_AUDIT_KEY` from the environment wins; otherwise a random key is kept in a file under the
data dir (`KESU_AUDIT_KEY_FILE`, default `$KESU_DATA_DIR/audit.key`), created with mode 0600 the
first time it is needed. Anyone who can write the database but not read this key cannot
recompute the chain."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from django.conf import settings

_cache: dict[tuple[str, str], bytes] = {}


def key_file() -> Path:
    configured = getattr(settings, "KESU_AUDIT_KEY_FILE", "") or ""
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit.key"


def audit_key() -> bytes:
    configured = getattr(settings, "KESU_AUDIT_KEY", "") or ""
    path = key_file()
    cache_key = (configured, str(path))
    if cache_key in _cache:
        return _cache[cache_key]
    key = configured.encode() if configured else _file_key(path)
    _cache[cache_key] = key
    return key


def _file_key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file, then linked into place: two processes starting at
    # once agree on one key (link fails for the loser, who reads the winner's complete file).
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes().strip()

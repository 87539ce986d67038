"""The product as `make run` serves it, for browser tests: gunicorn through `kesu serve`, DEBUG off,
the local settings, static files collected, the demo organisation loaded, a data directory of its own.

On the PostgreSQL run (DATABASE_URL is a postgres:// URL) the server gets a fresh database of its own
on that server; otherwise SQLite in its data directory, exactly as on a fresh clone. One server per
pytest process (xdist worker), started on a free port and stopped at the end of the session.

Tests drive it only through the browser: they cannot reach its database (that is the point)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KESU = Path(sys.executable).with_name("kesu")
PASSWORD = "Served-e2e-Passw0rd"


@dataclass(frozen=True)
class Served:
    url: str
    password: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_database(url: str, name: str) -> tuple[str, str]:
    """A fresh database beside the one in `url`: (its URL, the admin URL to drop it with)."""
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", url


def _drop_postgres_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kesu serve exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"kesu serve did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def serve() -> Iterator[Served]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    data_dir = Path(tempfile.mkdtemp(prefix=f"kesu-served-{worker}-"))
    log = data_dir / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KESU_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        KESU_DATA_DIR=str(data_dir),
        KESU_ADMIN_PASSWORD=PASSWORD,
        KESU_SCHEDULER="true",
        # Webhooks and robots may call the loopback receivers the browser tests run (kesu.channels).
        KESU_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
    )
    dropped: tuple[str, str] | None = None
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        name = f"kesu_served_{worker}_{os.getpid()}"
        env["DATABASE_URL"], admin_url = _postgres_database(database_url, name)
        dropped = (admin_url, name)
    else:
        env.pop("DATABASE_URL", None)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
            subprocess.run([str(KESU), *step], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
        process = subprocess.Popen(
            [str(KESU), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(url, process, log)
        yield Served(url=url, password=PASSWORD, data_dir=data_dir, log=log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if dropped is not None:
            _drop_postgres_database(*dropped)
        shutil.rmtree(data_dir, ignore_errors=True)

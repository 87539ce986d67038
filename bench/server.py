"""Scratch databases and a production-configured gunicorn, started and always stopped."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.load import request_json

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("KESU_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# KESU_BENCH_PORTS=8800-8899 when several runs share the machine.
_PORTS = os.environ.get("KESU_BENCH_PORTS", "18000-18099").split("-")
PORT_RANGE = range(int(_PORTS[0]), int(_PORTS[-1]) + 1)


def pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def recreate_pg_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(*, data_dir: Path, database_url: str | None, password: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KESU_", "DATABASE_URL", "CELERY_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "KESU_SECRET_KEY": secrets.token_urlsafe(48),
            "KESU_SSL_REDIRECT": "false",
            "KESU_ALLOWED_HOSTS": "127.0.0.1",
            "KESU_DATA_DIR": str(data_dir),
            "KESU_ADMIN_PASSWORD": password,
            "KESU_LOG_LEVEL": "WARNING",
            "KESU_SCHEDULER": "false",
            "PYTHONPATH": str(REPO),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "kesu"), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"kesu {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port(exclude: set[int] | None = None) -> int:
    for port in PORT_RANGE:
        if exclude and port in exclude:
            continue
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int

    @property
    def label(self) -> str:
        return f"gunicorn -w {self.workers} -k gthread --threads {self.threads}"


class Gunicorn:
    """`with Gunicorn(...) as server:` starts gunicorn in its own process group, waits for
    /api/v1/health, and kills the whole group on exit whatever happened."""

    def __init__(self, *, env: dict[str, str], config: ServerConfig, log_path: Path):
        self.env = env
        self.config = config
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.config.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.config.threads),
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, body = request_json(self.port, "GET", "/api/v1/health", timeout=2)
                if status == 200 and isinstance(body, dict) and body.get("status") == "ok":
                    # every worker boots the app on its own; give the slower ones a moment
                    for _ in range(self.config.workers * 4):
                        request_json(self.port, "GET", "/api/v1/health", timeout=5)
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()


def issue_token(port: int, username: str, password: str) -> str:
    status, body = request_json(port, "POST", "/api/v1/auth/token", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body}")
    return str(body["token"])


def web_session(port: int, username: str, password: str) -> str:
    """Sign in through the staff login form; the Cookie header of the signed-in session."""
    import http.client
    import re
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {key: morsel.value for key, morsel in jar.items()}

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/login/", headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        html = response.read().decode()
        jar = cookies_of(response)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if match is None or "csrftoken" not in jar:
            raise RuntimeError("login form without a CSRF token")
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)})
        connection.request(
            "POST",
            "/login/",
            body=body,
            headers={
                "Host": f"127.0.0.1:{port}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}",
                "Referer": f"http://127.0.0.1:{port}/login/",
            },
        )
        response = connection.getresponse()
        response.read()
        jar.update(cookies_of(response))
        if response.status != 302 or "sessionid" not in jar:
            raise RuntimeError(f"login as {username}: {response.status}")
        return f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"
    finally:
        connection.close()

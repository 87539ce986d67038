"""End to end against a running server: `kesu migrate`, `kesu load_demo`, `kesu serve`, then HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
KESU = [sys.executable, "-m", "kesu.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, method=method, data=data)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("kesu-data")
    env = {
        **os.environ,
        "KESU_DATA_DIR": str(data_dir),
        "KESU_ADMIN_PASSWORD": "demo-pass-123",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    for args in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([*KESU, *args], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    port = _free_port()
    process = subprocess.Popen(
        [*KESU, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if _call(base, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "server exited")
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def _token(base: str, username: str) -> str:
    status, body = _call(base, "POST", "/api/v1/auth/token", {"username": username, "password": "demo-pass-123"})
    assert status == 200, body
    return str(body["token"])


def test_demo_organisation_is_served(server):
    token = _token(server, "manager")
    status, body = _call(server, "GET", "/api/v1/complaints?page_size=100", token=token)
    assert status == 200
    assert body["count"] >= 30
    assert len({c["status"] for c in body["results"]}) >= 5


def test_whole_lifecycle_over_http(server):
    tokens = {u: _token(server, u) for u in ("agent", "supervisor", "handler", "manager")}
    status, created = _call(
        server,
        "POST",
        "/api/v1/complaints",
        {
            "channel": "phone",
            "customer": {"name": "周八", "phone": "13900001111"},
            "description": "洗衣机运转时噪音很大",
            "category": "product_quality.defect",
        },
        tokens["agent"],
    )
    assert status == 201, created
    number = created["number"]
    steps = [
        ("agent", {"action": "acknowledge"}),
        ("supervisor", {"action": "assign", "department": "品质部", "assignee": "handler"}),
        ("handler", {"action": "start_investigation"}),
        (
            "handler",
            {
                "action": "propose_solution",
                "remedies": [{"type": "repair", "amount": "0"}, {"type": "voucher", "amount": "80.00"}],
            },
        ),
        ("supervisor", {"action": "approve", "note": "同意"}),
        ("agent", {"action": "customer_accept"}),
        ("handler", {"action": "resolve", "result": "已上门维修并赠送 80 元券"}),
        ("agent", {"action": "record_callback", "reached": True, "satisfied": True, "score": 5}),
        ("manager", {"action": "close"}),
    ]
    for user, body in steps:
        if body["action"] == "propose_solution":  # root cause and responsibility come first (IV-2)
            status, record = _call(
                server,
                "PUT",
                f"/api/v1/complaints/{number}/investigation",
                {
                    "root_cause": "电机支架螺丝松动",
                    "responsibility": "supplier",
                    "cause_class": "system_or_other_department",
                },
                tokens["handler"],
            )
            assert status == 200, record
        status, result = _call(server, "POST", f"/api/v1/complaints/{number}/transitions", body, tokens[user])
        assert status == 200, (body, result)
    assert result["status"] == "closed"
    transitions = [e["kind"] for e in result["timeline"] if e["kind"] in {b["action"] for _, b in steps}]
    assert transitions == [b["action"] for _, b in steps]
    assert "investigation_recorded" in [e["kind"] for e in result["timeline"]]
    status, public = _call(server, "GET", f"/api/v1/public/complaints/{number}?contact=13900001111")
    assert status == 200
    assert public["status"] == "closed"
    assert "assignee" not in public


def test_public_filing_and_tracking(server):
    status, created = _call(
        server,
        "POST",
        "/api/v1/public/complaints",
        {
            "channel": "web",
            "customer": {"name": "Ann", "email": "ann@example.com"},
            "description": "Parcel lost",
        },
    )
    assert status == 201, created
    status, tracked = _call(server, "GET", f"/api/v1/public/complaints/{created['number']}?contact=ANN@example.com")
    assert status == 200
    assert tracked["number"] == created["number"]
    wrong = _call(server, "GET", f"/api/v1/public/complaints/{created['number']}?contact=bob@example.com")
    unknown = _call(server, "GET", "/api/v1/public/complaints/209901-00001?contact=ann@example.com")
    assert wrong == unknown
    assert wrong[0] == 404


def test_openapi_and_docs_are_served(server):
    status, schema = _call(server, "GET", "/api/v1/openapi.json")
    assert status == 200
    assert "/api/v1/complaints/{number}/transitions" in schema["paths"]
    with urllib.request.urlopen(server + "/api/v1/docs", timeout=10) as response:
        assert response.status == 200

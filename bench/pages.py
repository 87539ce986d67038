"""The staff pages of the workspace, measured by their server time (`Server-Timing`, written by
kesu.operations.timing when KESU_SERVER_TIMING is on) at 100,000 complaints.

Which pages: bench/staff_pages.toml, one [[page]] each (key, label, role, path, expect); pages
added later are measured by adding a row there."""

from __future__ import annotations

import itertools
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from bench.load import run_http
from bench.server import Gunicorn, ServerConfig, web_session

PAGES_FILE = Path(__file__).resolve().parent / "staff_pages.toml"
TARGET_MS = 300.0
# Words of the preloaded texts (3+ characters, so pg_trgm can use its index).
WORDS = ["发动机", "不好吃", "送餐太慢", "变速箱", "服务态度", "credit report", "late fee"]
# Two-character Chinese words: no trigram, so pg_trgm cannot use its index (a table scan).
SHORT_WORDS = ["退款", "质量", "快递", "客服", "房间", "异响", "漏油"]


@dataclass(frozen=True)
class StaffPage:
    key: str
    label: str
    role: str
    path: str
    expect: int = 200


def staff_pages(path: Path = PAGES_FILE) -> list[StaffPage]:
    with path.open("rb") as handle:
        rows = tomllib.load(handle).get("page", [])
    pages = [
        StaffPage(
            key=str(r["key"]),
            label=str(r.get("label") or r["path"]),
            role=str(r["role"]),
            path=str(r["path"]),
            expect=int(r.get("expect", 200)),
        )
        for r in rows
    ]
    keys = [p.key for p in pages]
    duplicated = {k for k in keys if keys.count(k) > 1}
    if duplicated:
        raise ValueError(f"{path.name}: keys used twice: {sorted(duplicated)}")
    return pages


def samples(database_url: str, *, seed: int = 7) -> dict[str, list[str]]:
    """Values for the placeholders of the paths, drawn from the database."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT setseed(%s)", (seed / 100,))
        numbers = [
            r[0]
            for r in conn.execute("SELECT number FROM complaints_complaint ORDER BY random() LIMIT 2000").fetchall()
        ]
        quality = [
            r[0]
            for r in conn.execute(
                "SELECT c.number FROM complaints_complaint c JOIN accounts_department d ON d.id = c.department_id "
                "WHERE d.code = 'quality' ORDER BY random() LIMIT 2000"
            ).fetchall()
        ]
        phones = [
            r[0]
            for r in conn.execute(
                "SELECT contact_phone FROM complaints_complaint WHERE contact_phone <> '' ORDER BY random() LIMIT 500"
            ).fetchall()
        ]
    rng = random.Random(seed)
    rng.shuffle(numbers)
    return {
        "number": numbers,
        "quality_number": quality or numbers,
        "phone4": [p[-4:] for p in phones] or ["5678"],
        "word": [quote(w) for w in WORDS],
        "short_word": [quote(w) for w in SHORT_WORDS],
        "page": [str(n) for n in range(1, 6)],
    }


def _factory(template: str, values: dict[str, list[str]]) -> Any:
    counter = itertools.count()
    used = [name for name in values if "{" + name + "}" in template]

    def make(_thread: int, _sequence: int) -> tuple[str, str, None]:
        n = next(counter)
        path = template
        for name in used:
            items = values[name]
            path = path.replace("{" + name + "}", items[n % len(items)])
        return "GET", path, None

    return make


def measure_pages(
    env: dict[str, str],
    config: ServerConfig,
    password: str,
    values: dict[str, list[str]],
    *,
    clients: int,
    duration: float,
    warmup: float,
    only: set[str] | None = None,
    log: Any = print,
    reference: bool = False,
) -> list[dict[str, Any]]:
    pages = [p for p in staff_pages() if not only or p.key in only]
    env = {**env, "KESU_SERVER_TIMING": "true"}
    out: list[dict[str, Any]] = []
    with Gunicorn(env=env, config=config, log_path=Path(env["KESU_DATA_DIR"]) / "gunicorn-pages.log") as server:
        sessions = {role: {"Cookie": web_session(server.port, role, password)} for role in {p.role for p in pages}}
        if reference:
            result = run_http(
                name="GET /api/v1/health (reference: the minimal endpoint)",
                port=server.port,
                factory=lambda _t, _s: ("GET", "/api/v1/health", None),
                clients=clients,
                duration=min(duration, 5.0),
                warmup=warmup,
                headers={},
            )
            summary = result.summary()
            summary.update({"key": "reference_health", "role": "", "path": "/api/v1/health", "target_p95_ms": None})
            out.append(summary)
            log(f"  reference health: server p95 {summary.get('server_p95_ms')} ms")
        for page in pages:
            log(f"page {page.key}: {page.label}")
            result = run_http(
                name=page.label,
                port=server.port,
                factory=_factory(page.path, values),
                clients=clients,
                duration=duration,
                warmup=warmup,
                headers=sessions[page.role],
                expect=page.expect,
            )
            summary = result.summary()
            summary.update({"key": page.key, "role": page.role, "path": page.path, "target_p95_ms": TARGET_MS})
            out.append(summary)
            log(
                f"  server p50 {summary.get('server_p50_ms')} p95 {summary.get('server_p95_ms')} ms "
                f"(client p95 {summary['p95_ms']} ms, {summary.get('queries_median')} queries, "
                f"errors {summary['errors'] + sum(summary['unexpected_status'].values())})"
            )
    return out

"""Server-Timing (kesu.operations.timing): on only when KESU_SERVER_TIMING puts it in MIDDLEWARE."""

from __future__ import annotations

import re

import pytest
from django.test import modify_settings

pytestmark = pytest.mark.django_db


def test_off_by_default(client) -> None:
    assert "Server-Timing" not in client.get("/api/v1/health")


@modify_settings(MIDDLEWARE={"prepend": "kesu.operations.timing.ServerTimingMiddleware"})
def test_when_on_every_answer_says_its_time_cpu_and_sql(client) -> None:
    header = client.get("/login/")["Server-Timing"]
    assert re.fullmatch(r'app;dur=[0-9.]+, cpu;dur=[0-9.]+, db;dur=[0-9.]+;desc="\d+ queries"', header), header


def test_the_bench_reads_it() -> None:
    from bench.load import parse_server_timing

    assert parse_server_timing('app;dur=12.5, cpu;dur=8.0, db;dur=3.0;desc="7 queries"') == (0.0125, 0.003, 7, 0.008)
    assert parse_server_timing(None) == (None, None, None, None)

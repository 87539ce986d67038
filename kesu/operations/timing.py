"""`Server-Timing` on every response, for the benchmark and for operators: off unless
KESU_SERVER_TIMING is set (config/settings/base.py puts the middleware first then).

`app` is the time from the first middleware to the response (every other middleware, the view
and the template included); `cpu` the CPU time the request's thread used meanwhile (what the
code costs, whatever else the machine runs); `db` the time spent in SQL and how many statements
ran."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse


class _SqlClock:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clock = _SqlClock()
        started, cpu_started = time.perf_counter(), time.thread_time()
        with connections["default"].execute_wrapper(clock):
            response = self.get_response(request)
        app = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu_started) * 1000
        response["Server-Timing"] = (
            f'app;dur={app:.1f}, cpu;dur={cpu:.1f}, db;dur={clock.seconds * 1000:.1f};desc="{clock.count} queries"'
        )
        return response

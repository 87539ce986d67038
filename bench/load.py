"""A closed-loop load generator: N threads, each with one keep-alive HTTP connection, sending
requests back to back for a fixed duration after a warm-up. Latency is measured per request
from just before sending to the end of reading the response body."""

from __future__ import annotations

import http.client
import json
import re
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# A request factory gets (thread index, request sequence number in that thread) and returns
# (method, path, body bytes or None).
RequestFactory = Callable[[int, int], tuple[str, str, bytes | None]]


@dataclass
class Result:
    name: str
    clients: int
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, measured window only
    errors: int = 0
    unexpected: dict[int, int] = field(default_factory=dict)  # status → count
    error_samples: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds the load generator used during the window
    background_busy: float | None = None  # share of all cores busy just before the run (others' load)
    server_times: list[float] = field(default_factory=list)  # seconds, from `Server-Timing: app;dur=`
    db_times: list[float] = field(default_factory=list)  # seconds, from `Server-Timing: db;dur=`
    db_queries: list[int] = field(default_factory=list)  # statements per request (`db;desc="N queries"`)
    cpu_times: list[float] = field(default_factory=list)  # seconds, from `Server-Timing: cpu;dur=`

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "clients": self.clients,
            "duration_s": round(self.duration, 2),
            "requests_ok": self.ok,
            "errors": self.errors,
            "unexpected_status": self.unexpected,
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.pct(50) * 1000, 2),
            "p95_ms": round(self.pct(95) * 1000, 2),
            "p99_ms": round(self.pct(99) * 1000, 2),
            "max_ms": round(max(self.latencies, default=0) * 1000, 2),
            "client_cpu_s": round(self.client_cpu, 2),
            "error_samples": self.error_samples[:3],
            "background_busy": None if self.background_busy is None else round(self.background_busy, 3),
            **self._server_summary(),
        }

    def _server_summary(self) -> dict[str, Any]:
        if not self.server_times:
            return {}
        queries = sorted(self.db_queries)
        return {
            "server_p50_ms": round(percentile(self.server_times, 50) * 1000, 2),
            "server_p95_ms": round(percentile(self.server_times, 95) * 1000, 2),
            "server_p99_ms": round(percentile(self.server_times, 99) * 1000, 2),
            "db_p50_ms": round(percentile(self.db_times, 50) * 1000, 2) if self.db_times else None,
            "db_p95_ms": round(percentile(self.db_times, 95) * 1000, 2) if self.db_times else None,
            "queries_median": queries[len(queries) // 2] if queries else None,
            "cpu_p50_ms": round(percentile(self.cpu_times, 50) * 1000, 2) if self.cpu_times else None,
            "cpu_p95_ms": round(percentile(self.cpu_times, 95) * 1000, 2) if self.cpu_times else None,
        }


def _cpu_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def background_busy(seconds: float = 1.0) -> float | None:
    """Share of all cores busy over `seconds` while our server is idle: other people's load."""
    try:
        busy0, total0 = _cpu_jiffies()
        time.sleep(seconds)
        busy1, total1 = _cpu_jiffies()
    except OSError:
        return None
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else None


# Before each workload, wait up to this many seconds for other processes to leave the CPU
# mostly idle (the machine is shared); bench.run sets it from --quiet-wait.
QUIET_MAX_WAIT = 20.0
QUIET_THRESHOLD = 0.30


def wait_for_quiet() -> float | None:
    """Sample the background load until it drops below QUIET_THRESHOLD or QUIET_MAX_WAIT
    passes; returns the last sample."""
    deadline = time.monotonic() + QUIET_MAX_WAIT
    busy = background_busy()
    while busy is not None and busy > QUIET_THRESHOLD and time.monotonic() < deadline:
        busy = background_busy()
    return busy


_TIMING = re.compile(r"(\w+);dur=([0-9.]+)(?:;desc=\"(\d+) queries\")?")


Timing = tuple[float | None, float | None, int | None, float | None]


def parse_server_timing(header: str | None) -> Timing:
    """(app s, db s, statements, cpu s) from a `Server-Timing` header (kesu.operations.timing)."""
    app = db = cpu = None
    queries = None
    for name, duration, count in _TIMING.findall(header or ""):
        if name == "app":
            app = float(duration) / 1000
        elif name == "cpu":
            cpu = float(duration) / 1000
        elif name == "db":
            db = float(duration) / 1000
            queries = int(count) if count else None
    return app, db, queries, cpu


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def run_http(
    *,
    name: str,
    port: int,
    factory: RequestFactory,
    clients: int,
    duration: float,
    warmup: float,
    headers: dict[str, str],
    expect: int = 200,
    host: str = "127.0.0.1",
) -> Result:
    """Drive `factory` with `clients` threads; only requests started and finished inside the
    measured window (after `warmup`) count."""
    background = wait_for_quiet()
    start = time.monotonic()
    window_start = start + warmup
    window_end = window_start + duration
    per_thread: list[list[float]] = [[] for _ in range(clients)]
    timings: list[list[Timing]] = [[] for _ in range(clients)]
    errors = [0] * clients
    unexpected: list[dict[int, int]] = [{} for _ in range(clients)]
    samples: list[str] = []
    barrier = threading.Barrier(clients + 1)
    base_headers = {"Host": f"{host}:{port}", "Connection": "keep-alive", **headers}

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        sequence = 0
        barrier.wait()
        while True:
            t0 = time.monotonic()
            if t0 >= window_end:
                break
            method, path, body = factory(index, sequence)
            sequence += 1
            request_headers = dict(base_headers)
            if body is not None:
                request_headers["Content-Type"] = "application/json"
            try:
                connection.request(method, path, body=body, headers=request_headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
                timing = parse_server_timing(response.getheader("Server-Timing"))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                if t0 >= window_start:
                    errors[index] += 1
                    if len(samples) < 5:
                        samples.append(f"{type(exc).__name__}: {exc}")
                continue
            t1 = time.monotonic()
            if t0 < window_start or t1 > window_end:
                continue
            if status != expect:
                unexpected[index][status] = unexpected[index].get(status, 0) + 1
                if len(samples) < 5:
                    samples.append(f"{status}: {payload[:300]!r}")
                continue
            per_thread[index].append(t1 - t0)
            timings[index].append(timing)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    cpu_at_window: list[float] = []

    def sample_cpu() -> None:
        time.sleep(max(0.0, window_start - time.monotonic()))
        cpu_at_window.append(_cpu())

    sampler = threading.Thread(target=sample_cpu, daemon=True)
    sampler.start()
    for thread in threads:
        thread.join()
    sampler.join()
    result = Result(name=name, clients=clients, duration=duration, background_busy=background)
    for index in range(clients):
        result.latencies.extend(per_thread[index])
        for app, db, queries, cpu in timings[index]:
            if cpu is not None:
                result.cpu_times.append(cpu)
            if app is not None:
                result.server_times.append(app)
            if db is not None:
                result.db_times.append(db)
            if queries is not None:
                result.db_queries.append(queries)
        result.errors += errors[index]
        for status, count in unexpected[index].items():
            result.unexpected[status] = result.unexpected.get(status, 0) + count
    result.error_samples = samples
    result.client_cpu = _cpu() - (cpu_at_window[0] if cpu_at_window else 0.0)
    return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def request_json(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    timeout: float = 30,
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Host": f"{host}:{port}", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw[:500]
    finally:
        connection.close()

"""Prometheus metrics at /metrics, in the text exposition format (hand-written: no dependency).

Request counts and latencies are counted in this process (with several gunicorn workers each
reports its own; Prometheus sums them when scraped per worker, or run one worker with threads);
complaint, outbox and audit gauges are read from the database at scrape time. Answered only to
loopback callers that came through no proxy, or to `Authorization: Bearer $KESU_METRICS_TOKEN`.
"""

from __future__ import annotations

import hmac
import threading
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse

from kesu.core import clock

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_lock = threading.Lock()
_requests: dict[tuple[str, str, str], int] = defaultdict(int)
_latency_buckets: dict[tuple[str, str], list[int]] = {}
_latency_sum: dict[tuple[str, str], float] = defaultdict(float)
_latency_count: dict[tuple[str, str], int] = defaultdict(int)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    with _lock:
        _requests[(method, route, str(status))] += 1
        key = (method, route)
        counts = _latency_buckets.setdefault(key, [0] * len(BUCKETS))
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[index] += 1
        _latency_sum[key] += seconds
        _latency_count[key] += 1


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**pairs: str) -> str:
    return "{" + ",".join(f'{name}="{_label(value)}"' for name, value in pairs.items()) + "}"


def render() -> str:
    from kesu.audit.models import AuditRecord
    from kesu.complaints.models import Complaint
    from kesu.notifications.models import OutboxMessage, OutboxStatus

    lines = [
        "# HELP kesu_http_requests_total HTTP requests answered, by method, route and status.",
        "# TYPE kesu_http_requests_total counter",
    ]
    with _lock:
        requests = dict(_requests)
        buckets = {key: list(value) for key, value in _latency_buckets.items()}
        sums, counts = dict(_latency_sum), dict(_latency_count)
    for (method, route, status), count in sorted(requests.items()):
        lines.append(f"kesu_http_requests_total{_labels(method=method, route=route, status=status)} {count}")
    lines += [
        "# HELP kesu_http_request_duration_seconds Time to answer HTTP requests.",
        "# TYPE kesu_http_request_duration_seconds histogram",
    ]
    for (method, route), cumulative in sorted(buckets.items()):
        for bound, count in zip(BUCKETS, cumulative, strict=True):
            labels = _labels(method=method, route=route, le=repr(bound))
            lines.append(f"kesu_http_request_duration_seconds_bucket{labels} {count}")
        labels = _labels(method=method, route=route, le="+Inf")
        lines.append(f"kesu_http_request_duration_seconds_bucket{labels} {counts[(method, route)]}")
        lines.append(
            f"kesu_http_request_duration_seconds_sum{_labels(method=method, route=route)} {sums[(method, route)]:.6f}"
        )
        lines.append(
            f"kesu_http_request_duration_seconds_count{_labels(method=method, route=route)} {counts[(method, route)]}"
        )

    lines += ["# HELP kesu_complaints Complaints by status.", "# TYPE kesu_complaints gauge"]
    for row in Complaint.objects.values("status").annotate(n=Count("id")).order_by("status"):
        lines.append(f"kesu_complaints{_labels(status=row['status'])} {row['n']}")
    lines += [
        "# HELP kesu_complaints_overdue Complaints past a deadline.",
        "# TYPE kesu_complaints_overdue gauge",
        f"kesu_complaints_overdue {Complaint.objects.filter(overdue=True).count()}",
    ]
    lines += ["# HELP kesu_outbox_messages Notifications in the outbox by status.", "# TYPE kesu_outbox_messages gauge"]
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by("status"):
        lines.append(f"kesu_outbox_messages{_labels(status=row['status'])} {row['n']}")
    oldest = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).aggregate(at=Min("created_at"))["at"]
    age = max(0.0, (clock.now() - oldest).total_seconds()) if oldest else 0.0
    lines += [
        "# HELP kesu_outbox_oldest_pending_seconds Age of the oldest undelivered notification.",
        "# TYPE kesu_outbox_oldest_pending_seconds gauge",
        f"kesu_outbox_oldest_pending_seconds {age:.0f}",
    ]
    lines += [
        "# HELP kesu_audit_unsealed_records Audit records not yet linked into the chain.",
        "# TYPE kesu_audit_unsealed_records gauge",
        f"kesu_audit_unsealed_records {AuditRecord.objects.filter(chain_seq__isnull=True).count()}",
    ]
    return "\n".join(lines) + "\n"


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "KESU_METRICS_TOKEN", "") or ""
    supplied = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
        return True
    # A proxy on the same machine makes every caller look local: then only the token opens it.
    proxied = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META
    return request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"} and not proxied


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    response = HttpResponse(render(), content_type="text/plain; version=0.0.4; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response

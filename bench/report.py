"""BENCHMARKS.md from the results of one `python -m bench.run`. No figure is typed in here:
every number below is read from `results`."""

from __future__ import annotations

from typing import Any

INTAKE_RATIO_TARGET = 0.40
INTAKE_P99_TARGET_MS = 100.0
READ_P95_TARGET_MS = 50.0


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or not b.get("throughput"):
        return None
    return float(a["throughput"]) / float(b["throughput"])


def _met(ok: bool | None) -> str:
    if ok is None:
        return "–"
    return "**met**" if ok else "**missed**"


def _row(label: str, r: dict[str, Any], *extra: str) -> str:
    cells = [
        label,
        _f(r["throughput"]),
        _f(r["p50_ms"]),
        _f(r["p95_ms"]),
        _f(r["p99_ms"]),
        _f(r["requests_ok"]),
        _f(r["errors"] + sum(r.get("unexpected_status", {}).values())),
    ]
    busy = r.get("background_busy")
    background = "–" if busy is None else f"{busy:.0%}"
    return "| " + " | ".join(cells + list(extra) + [background]) + " |"


def _all_workloads(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = [results[k] for k in ("health", "intake_pg", "raw_insert", "intake_sqlite") if results.get(k)]
    return found + list(results.get("reads", []))


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    args = results["args"]
    server = results.get("server", {})
    health = results.get("health")
    raw = results.get("raw_insert")
    intake_pg = results.get("intake_pg")
    intake_sqlite = results.get("intake_sqlite")
    lines: list[str] = []
    add = lines.append
    add("# Kesu benchmarks")
    add("")
    add(
        "Written by `make bench` (`python -m bench.run`); every figure below comes from that run. "
        "Re-run it to refresh this file."
    )
    add("")
    add(f"- **Date:** {m['date']} (run took {results.get('elapsed_s', 0):.0f} s)")
    add(f"- **Machine:** {m['cores']} cores, {m['cpu_model']}, {m['memory']} RAM, Linux {m['kernel']}")
    add(
        f"- **Databases:** PostgreSQL {m['postgresql']} on 127.0.0.1 (shared_buffers "
        f"{m['pg_settings']['shared_buffers']}, synchronous_commit {m['pg_settings']['synchronous_commit']}); "
        f"SQLite {m['sqlite']} (WAL, synchronous=NORMAL, IMMEDIATE transactions)"
    )
    v = m["versions"]
    add(
        f"- **Software:** Python {m['python']}, Django {v['django']}, Django Ninja {v['django-ninja']}, "
        f"gunicorn {v['gunicorn']}, psycopg {v['psycopg']}"
    )
    add(
        f"- **Server:** `{server.get('config', '?')}` serving `config.wsgi:application` with "
        "`DJANGO_SETTINGS_MODULE=config.settings.production` (DEBUG off, `KESU_SSL_REDIRECT=false`), "
        "no in-process scheduler (the audit chain is sealed separately, see below)"
    )
    add(
        f"- **Load:** {args['clients']} concurrent clients, each a thread with one keep-alive "
        "`http.client` connection (closed loop: next request as soon as the last answer is read), "
        f"{_f(args['warmup'])} s warm-up, then {_f(args['duration'])} s measured "
        f"({_f(args['read_duration'])} s for the read workloads). The load generator runs on the "
        "same 2 cores as the server and the database, so every figure includes that contention."
    )
    add(
        "- **Other load:** the machine is shared. Just before each workload (our server idle) the bench "
        f"samples /proc/stat in 1 s steps, waiting up to {_f(args.get('quiet_wait'))} s for it to drop below "
        "30 %; *other load* is the last sample: the share of all cores busy with other processes when "
        "the workload started. Figures measured while it is high are pessimistic."
    )
    add(
        "- **Latency** is per request, from sending to the last byte of the answer; p50/p95/p99 are "
        "nearest-rank percentiles over every request of the measured window. Throughput counts "
        "successful answers (201 for intake, 200 otherwise) per second."
    )
    add("")
    samples = [r.get("background_busy") for r in _all_workloads(results)]
    samples = [b for b in samples if b is not None]
    if samples and sum(samples) / len(samples) > 0.3:
        add(
            f"> **Shared machine, busy during this run.** Other processes kept on average "
            f"{sum(samples) / len(samples):.0%} of the CPU busy just before the workloads started "
            f"(highest {max(samples):.0%}; see the *other load* columns). Every figure here is then a "
            "pessimistic lower bound on what Kesu does on a quiet machine; ratios between workloads "
            "measured under similar load are more telling than absolute numbers."
        )
        add("")
    if results.get("failures"):
        add("## ⚠ The run did not complete")
        add("")
        for failure in results["failures"]:
            add("```")
            add(failure.strip())
            add("```")
        add("")

    # ------------------------------------------------------------------ targets
    add("## Targets")
    add("")
    add("| target | measured | result |")
    add("| --- | --- | --- |")
    ratio_pg = _ratio(intake_pg, health)
    if intake_pg and ratio_pg is not None:
        add(
            f"| intake on PostgreSQL ≥ {INTAKE_RATIO_TARGET:.0%} of the minimal endpoint's throughput "
            f"({args['clients']} clients) | {ratio_pg:.1%} ({_f(intake_pg['throughput'])} vs "
            f"{_f(health['throughput'])} req/s) | {_met(ratio_pg >= INTAKE_RATIO_TARGET)} |"
        )
        add(
            f"| intake on PostgreSQL p99 < {INTAKE_P99_TARGET_MS:.0f} ms | {_f(intake_pg['p99_ms'])} ms | "
            f"{_met(intake_pg['p99_ms'] < INTAKE_P99_TARGET_MS)} |"
        )
    for line in _page_targets(results):
        add(line)
    for read in results.get("reads", []):
        if read.get("target_p95_ms"):
            add(
                f"| {read['key']} p95 < {read['target_p95_ms']:.0f} ms at "
                f"{_f(results['preload']['total_complaints'])} complaints | {_f(read['p95_ms'])} ms | "
                f"{_met(read['p95_ms'] < read['target_p95_ms'])} |"
            )
    add("")
    add(
        "For scale (from the issue, not measured here): a popular Django helpdesk on the same setup took "
        "65–80 tickets/s (0.11–0.13 of the minimal endpoint) and 1.2 s for a filtered list at 100,000 tickets."
    )
    add("")

    # ------------------------------------------------------------------ intake
    add("## Intake: `POST /api/v1/complaints`")
    add("")
    add(
        "Bodies built from real texts read at bench time from `/work/shared/data`: negative reviews "
        "(online shopping, food delivery, hotels), 12365auto car complaint titles and CFPB narratives "
        "(cut at 4,000 characters); varied channels, optional category, product, demand and amount; "
        "customers drawn from 30,000 phone numbers / e-mail addresses, so repeat callers are "
        "deduplicated. Each request: validation, severity rules, routing, deadlines, customer "
        "get-or-create, the month's counter upsert, the complaint, its timeline event and audit record "
        "in one transaction (plus outbox rows for major complaints). Token: the demo `agent` (客服代表)."
    )
    add("")
    add(
        "| workload | req/s | p50 ms | p95 ms | p99 ms | requests | errors | ratio to health | "
        "ratio to raw INSERT | target | result | other load |"
    )
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
    if intake_pg:
        ratio_raw = _ratio(intake_pg, raw)
        ok = ratio_pg is not None and ratio_pg >= INTAKE_RATIO_TARGET and intake_pg["p99_ms"] < INTAKE_P99_TARGET_MS
        add(
            _row(
                "intake, PostgreSQL",
                intake_pg,
                _f(ratio_pg, 3),
                _f(ratio_raw, 3),
                f"≥ {INTAKE_RATIO_TARGET:.2f} of health, p99 < {INTAKE_P99_TARGET_MS:.0f} ms",
                _met(ok),
            )
        )
    if intake_sqlite:
        add(
            _row(
                "intake, SQLite",
                intake_sqlite,
                _f(_ratio(intake_sqlite, health), 3),
                _f(_ratio(intake_sqlite, raw), 3),
                "none set (reported)",
                "–",
            )
        )
    add("")
    mix = results.get("intake_pg_mix")
    if mix:
        severities = ", ".join(f"{k} {_f(v)}" for k, v in sorted(mix["severity"].items()))
        add(
            f"After the PostgreSQL intake runs (probes included) the database held complaints by severity: "
            f"{severities}; {_f(mix['customers'])} customers; {_f(mix['outbox_messages'])} outbox messages. "
            "Each major complaint writes outbox rows for the GM and manager; with plain gunicorn (no Celery "
            "broker, no `kesu serve` scheduler) the after-commit delivery runs inline in the request thread."
        )
        add("")
    for key, label in (("intake_pg", "PostgreSQL"), ("intake_sqlite", "SQLite")):
        r = results.get(key)
        if r and (r["errors"] or r.get("unexpected_status")):
            add(
                f"{label} intake errors: {r['errors']} transport, unexpected statuses "
                f"{r.get('unexpected_status')}; samples: `{r.get('error_samples')}`"
            )
            add("")

    # ------------------------------------------------------------------ references
    add("## References (same run)")
    add("")
    add("| reference | req/s | p50 ms | p95 ms | p99 ms | requests | errors | notes | other load |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    if health:
        add(
            _row(
                "`GET /api/v1/health`",
                health,
                f"same gunicorn config and client; load generator used {_f(health['client_cpu_s'])} CPU-s "
                f"of the {_f(args['duration'] * (m['cores'] or 1))} available",
            )
        )
    if raw:
        add(
            _row(
                "raw single-row INSERT, PostgreSQL",
                raw,
                f"psycopg, {args['clients']} autocommit connections, one INSERT of a short row per statement "
                "into a scratch table",
            )
        )
    add("")

    # ------------------------------------------------------------------ server configs
    if results.get("candidates"):
        add("### gunicorn configurations tried (PostgreSQL, short probe)")
        add("")
        add("The configuration with the best intake throughput is kept for every workload.")
        add("")
        add("| configuration | health req/s | health p99 ms | intake req/s | intake p95 ms | intake p99 ms | kept |")
        add("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for c in results["candidates"]:
            add(
                f"| `{c['config']}` | {_f(c['health']['throughput'])} | {_f(c['health']['p99_ms'])} | "
                f"{_f(c['intake']['throughput'])} | {_f(c['intake']['p95_ms'])} | {_f(c['intake']['p99_ms'])} | "
                f"{'yes' if c['config'] == server.get('config') else ''} |"
            )
        add("")

    # ------------------------------------------------------------------ reads
    if results.get("reads"):
        p = results["preload"]
        add(f"## Reads at {_f(p['total_complaints'])} complaints (PostgreSQL)")
        add("")
        add(
            f"Preloaded {_f(p['complaints'])} complaints with COPY in {_f(p['total_s'])} s "
            f"(generate {_f(p['generate_s'])} s, COPY {_f(p['copy_s'])} s, full-text (GIN) index rebuild "
            f"{_f(p['trgm_index_s'])} s, VACUUM ANALYZE {_f(p['analyze_s'])} s): {_f(p['customers'])} customers, "
            f"{_f(p['events'])} timeline events, numbers/periods/serials continuing each month's counter, "
            "spread over the 365 days before the run, statuses and departments varied, each with the "
            "`search_text` intake writes (kesu.complaints.search). "
            "The intake complaints of the run above are in the same database. "
            f"{_f(p['list_matching'])} complaints match `status=investigating&department=quality`. "
            "API token: `agent` (sees the whole organisation); default page size 20, newest first. "
            "The staff pages are measured on the same data in their own section below."
        )
        add("")
        add("| workload | req/s | p50 ms | p95 ms | p99 ms | requests | errors | target | result | other load |")
        add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
        for read in results["reads"]:
            tgt = read.get("target_p95_ms")
            add(
                _row(
                    read["name"],
                    read,
                    f"p95 < {tgt:.0f} ms" if tgt else "none set (reported)",
                    _met(read["p95_ms"] < tgt) if tgt else "–",
                )
            )
        add("")
        add(
            "Search terms (`q`: full text on the `tsvector` of character bigrams and jieba words, GIN index, "
            "ranked by relevance; kesu/complaints/search.py): 3+ characters: "
            "发动机, 不好吃, credit report, 送餐太慢, 变速箱, late fee, 服务态度, 漏油; 2-character: 退款, 质量, 快递, "
            "客服, 房间, 异响."
        )
        add("")

    lines.extend(render_pages(results))

    # ------------------------------------------------------------------ audit
    add("## Audit chain: `audit_seal()`")
    add("")
    add(
        "Intake writes each audit record with its own SHA-256 digest; the chain (`chain_seq`, `prev_hash`, "
        "`chain_hash`) is linked after commit by the sealer, so intake never waits on it. Here every "
        "record pending after the intake run (the demo load's and intake's) is sealed with one "
        "`audit_seal()` call (batches of 5,000, one transaction each), then the whole chain is verified."
    )
    add("")
    add("| database | records sealed | seconds | records/s | verify | verify seconds |")
    add("| --- | ---: | ---: | ---: | --- | ---: |")
    for key, label in (("seal_pg", "PostgreSQL"), ("seal_sqlite", "SQLite")):
        s = results.get(key)
        if s:
            rate = s["sealed"] / s["seal_seconds"] if s["seal_seconds"] else None
            add(
                f"| {label} | {_f(s['sealed'])} | {_f(s['seal_seconds'], 2)} | {_f(rate, 0)} | "
                f"{'OK' if s['verify_ok'] else 'FAILED'} ({_f(s['verified'])} records) | "
                f"{_f(s['verify_seconds'], 2)} |"
            )
    add("")
    if intake_pg and intake_pg["throughput"] and results.get("seal_pg") and results["seal_pg"]["seal_seconds"]:
        rate = results["seal_pg"]["sealed"] / results["seal_pg"]["seal_seconds"]
        add(
            f"The sealer links records {rate / intake_pg['throughput']:.0f}× faster than intake on "
            "PostgreSQL produces them, so the 5 s schedule keeps up."
        )
        add("")
    if results.get("deadlines"):
        add("## Deadlines (bench/deadlines.py)")
        add("")
        add(
            "Measured by `bench/deadlines.py` (the deadline engine's own workloads, its own scratch "
            "PostgreSQL database) in the same run."
        )
        add("")
        add("| workload | figure | unit | target | result |")
        add("| --- | ---: | --- | --- | --- |")
        for row in results["deadlines"]:
            add(
                f"| {row.get('workload')} | {_f(row.get('figure'), 3)} | {row.get('unit', '')} | "
                f"{row.get('target') or '–'} | {_met(row.get('met'))} |"
            )
        add("")
    lines.extend(render_reports(results.get("reports")))
    lines.extend(render_bulk_import(results.get("bulk_import")))
    lines.extend(render_scale(results))
    notes = results.get("notes") or []
    if notes:
        add("## Notes")
        add("")
        for note in notes:
            add(f"- {note}")
        add("")
    return "\n".join(lines)


def _seconds(row: dict[str, Any] | None) -> str:
    return f"{row['worst_s']:.2f} s" if row else "–"


def render_bulk_import(bulk: dict[str, Any] | None) -> list[str]:
    """The bulk import of historical complaints (bench/bulk_import.py): rows/s against the target."""
    if not bulk or "first" not in bulk:
        return []
    target = bulk.get("target_rows_per_s", 20_000)
    lines = [
        "## Bulk import (bench/bulk_import.py)",
        "",
        f"`kesu import FILE --historical --bulk` of a {bulk['rows']:,}-row CSV written from the bench texts "
        f"({bulk.get('bad_rows', 0)} rows with a bad phone), on a scratch PostgreSQL database, "
        f"{bulk.get('workers')} worker processes on {bulk.get('cpus')} CPUs, chunks of {bulk.get('chunk'):,} rows; "
        "then the same file again (every row skipped). CPU: the importing process and its workers; "
        "PostgreSQL: the backend it talked to. Target (issue 15): "
        f"{target:,} rows/s (1,000,000 in under a minute).",
        "",
        "| run | rows | imported | skipped | rejected | wall s | CPU s | PostgreSQL CPU s | rows/s "
        "| load before | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for run in ("first", "again"):
        row = bulk.get(run)
        if not row:
            continue
        met = row["rows_per_s"] is not None and row["rows_per_s"] >= target
        lines.append(
            f"| {run} | {row['rows']:,} | {row['created']:,} | {row['skipped']:,} | {row['rejected']:,} | "
            f"{row['wall_s']:.1f} | {row['cpu_s']:.1f} | {row['pg_backend_cpu_s']:.1f} | {row['rows_per_s']:,} | "
            f"{' '.join(str(x) for x in row.get('load_before', []))} | ≥ {target:,}/s | {_met(met)} |"
        )
    phases = bulk["first"].get("phases_s") or {}
    if phases:
        lines += ["", "Writing, first run (s): " + ", ".join(f"{k} {v}" for k, v in phases.items()) + "."]
    lines.append("")
    return lines


def render_scale(results: dict[str, Any]) -> list[str]:
    """The cost curve: each read and the KPI report at the first preload and at the grown one."""
    scale = results.get("scale")
    if not scale or not results.get("reads"):
        return []
    small, large = results["preload"]["total_complaints"], scale["total_complaints"]
    p = scale["preload"]
    out = [
        f"## Cost curve: {_f(small)} → {_f(large)} complaints (PostgreSQL)",
        "",
        f"The same database grown by {_f(p.get('complaints', 0))} complaints ({p.get('copies', 0)} copies of the "
        f"preload made in SQL by bench/replicate.py, {_f(p.get('total_s', 0))} s: each copy the same year with its own "
        "numbers, customers, events and investigations), then the "
        "reads measured again by the same clients and server, and the KPI report after a rebuild of the tallies.",
        "",
        f"| workload | p95 at {_f(small)} | p95 at {_f(large)} | growth | target at 1,000,000 | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    before = {r["key"]: r for r in results["reads"]}
    for read in scale["reads"]:
        first = before.get(read["key"])
        growth = f"{read['p95_ms'] / first['p95_ms']:.2f}×" if first and first.get("p95_ms") else "–"
        target = read.get("target_p95_ms") or (100.0 if read["key"].startswith("search") else None)
        out.append(
            f"| {read['name']} | {_f(first['p95_ms']) if first else '–'} ms | {_f(read['p95_ms'])} ms | {growth} | "
            f"{f'p95 < {target:.0f} ms' if target else '–'} | "
            f"{_met(read['p95_ms'] < target) if target and large >= 1_000_000 else '–'} |"
        )
    kpi_small = {r["group_by"]: r for r in (results.get("reports") or {}).get("kpi", [])}
    for row in (scale.get("reports") or {}).get("kpi", []):
        first = kpi_small.get(row["group_by"])
        growth = f"{row['worst_s'] / first['worst_s']:.2f}×" if first and first["worst_s"] else "–"
        out.append(
            f"| KPI report for a year, group {row['group_by'] or 'total'} (worst run) | "
            f"{_seconds(first)} | {row['worst_s']:.2f} s | {growth} | < 1 s | "
            f"{_met(row['worst_s'] < 1) if large >= 1_000_000 else '–'} |"
        )
    rebuild = (scale.get("reports") or {}).get("rebuild")
    if rebuild:
        out.append(
            f"| tallies rebuilt, {_f(rebuild['complaints'])} complaints | – | {rebuild['s']:.1f} s | – | – | – |"
        )
    out.append("")
    out.extend(_scale_pages(results, small, large))
    return out


SCALE_PAGE_TARGET_MS = 150.0  # issue 15.2 at 1,000,000: queues, the complaint page, the dashboard


def _scale_pages(results: dict[str, Any], small: int, large: int) -> list[str]:
    rows = (results.get("scale") or {}).get("pages") or []
    if not rows:
        return []
    first = {r["key"]: r for r in ((results.get("pages") or {}).get("rows") or [])}
    out = [
        f"Staff pages at {_f(large)} complaints, server time p95 (the same pages and clients as the staff-page "
        f"section; target at 1,000,000: < {SCALE_PAGE_TARGET_MS:.0f} ms):",
        "",
        f"| page | role | p95 at {_f(small)} | p95 at {_f(large)} | cpu p95 | db p95 | queries | growth | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        if not row.get("target_p95_ms"):
            continue
        p95, before = _server_p95(row), _server_p95(first.get(row["key"]) or {})
        growth = f"{p95 / before:.2f}×" if p95 and before else "–"
        result = _met(p95 < SCALE_PAGE_TARGET_MS) if p95 is not None and large >= 1_000_000 else "–"
        out.append(
            f"| `{row['path']}` | {row['role']} | {_f(before)} ms | {_f(p95)} ms | {_f(row.get('cpu_p95_ms'))} ms | "
            f"{_f(row.get('db_p95_ms'))} ms | {row.get('queries_median', '–')} | {growth} | {result} |"
        )
    out.append("")
    return out


def render_reports(reports: dict[str, Any] | None) -> list[str]:
    """The reports section (bench/reports.py): ledger exports, the tallies, the KPI report for a
    year and the scheduled reports, with the targets of issue 11."""
    if not reports:
        return []
    total = reports.get("complaints", 0)
    out = [
        f"## Reports at {_f(total)} complaints (PostgreSQL, bench/reports.py)",
        "",
        "In process, on the preloaded database of the reads above, one at a time. The ledger is the whole "
        "table newest first as the manager reads it (names and phones unmasked); peak memory is the Python "
        "memory allocated while writing (tracemalloc). The KPI report refreshes the daily tallies first, as "
        "every report does, then reads a year of them.",
        "",
        "| workload | figure | target | result |",
        "| --- | ---: | --- | --- |",
    ]
    for row in reports.get("ledger", []):
        out.append(
            f"| ledger {row['format'].upper()}, {_f(row['rows'])} rows ({_f(row['mb'])} MB) | {row['s']:.2f} s, "
            f"peak {_f(row['peak_mb'])} MB | < 10 s for 100,000 rows, flat memory | "
            f"{_met(row['s'] < 10) if row['rows'] >= 100_000 else '– (fewer rows)'} |"
        )
    rebuild = reports.get("rebuild")
    if rebuild:
        figure = f"{rebuild['s']:.1f} s"
        out.append(
            f"| tallies rebuilt (`kesu tallies --rebuild`), {_f(rebuild['complaints'])} complaints | {figure} | – | – |"
        )
    for row in reports.get("kpi", []):
        group = row["group_by"] or "total"
        verdict = _met(row["worst_s"] < 1)
        if total < 1_000_000:
            verdict = f"at {_f(total)}: {verdict}"
        out.append(
            f"| KPI report for a year, group {group} | best {row['best_s']:.2f} s, worst {row['worst_s']:.2f} s | "
            f"< 1 s at 1,000,000 | {verdict} |"
        )
    for row in reports.get("scheduled", []):
        target = "< 5 s" if row["kind"] == "weekly" else "–"
        verdict = _met(row["worst_s"] < 5) if row["kind"] == "weekly" else "–"
        out.append(
            f"| {row['kind']} report, XLSX + PDF ({_f(row['pdf_kb'])} kB PDF) | best {row['best_s']:.2f} s, "
            f"worst {row['worst_s']:.2f} s | {target} | {verdict} |"
        )
    out.append("")
    return out


PAGES_START = "<!-- staff-pages:start (bench/run.py --pages-only rewrites this section) -->"
PAGES_END = "<!-- staff-pages:end -->"


def _page_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list((results.get("pages") or {}).get("rows", []))


def _server_p95(row: dict[str, Any]) -> float | None:
    value = row.get("server_p95_ms")
    return float(value) if value is not None else None


def _page_targets(results: dict[str, Any]) -> list[str]:
    total = (results.get("preload") or {}).get("total_complaints")
    out = []
    for row in _page_rows(results):
        p95 = _server_p95(row)
        if row.get("target_p95_ms") and p95 is not None:
            out.append(
                f"| staff page `{row['key']}` server time p95 < {row['target_p95_ms']:.0f} ms at "
                f"{_f(total)} complaints | {_f(p95)} ms | {_met(p95 < row['target_p95_ms'])} |"
            )
    return out


def render_pages(results: dict[str, Any]) -> list[str]:
    """The staff-page section, between markers so that `--pages-only` can replace it alone."""
    pages = results.get("pages")
    if not pages:
        return []
    rows = pages["rows"]
    before = pages.get("before") or {}
    total = (results.get("preload") or {}).get("total_complaints")
    m = results.get("machine", {})
    lines = [PAGES_START, f"## Staff pages at {_f(total)} complaints (PostgreSQL): server time", ""]
    add = lines.append
    measured = [r for r in rows if r.get("target_p95_ms")]
    missed = [r["key"] for r in measured if (_server_p95(r) or 0) >= r["target_p95_ms"]]
    no_timing = [r["key"] for r in measured if _server_p95(r) is None]
    add(
        f"Measured {m.get('date', '')} by `python -m bench.run` (or `--pages-only`) with the server "
        f"`{(results.get('server') or {}).get('config', '?')}` and `KESU_SERVER_TIMING=true`: each page of "
        "`bench/staff_pages.toml` (add a row there to measure a new page) is opened by its demo user, signed "
        f"in through the login form, by {pages['clients']} concurrent clients for {_f(pages['duration'])} s. "
        "*Server time* is the `Server-Timing: app` figure (kesu.operations.timing): from the first middleware "
        "to the response, every middleware, the view, its queries and the template included; *cpu* the CPU "
        "time of the request's thread meanwhile (what the page's Python costs, whatever else the machine runs); "
        "*db* the time spent waiting for SQL; *client* the latency seen on loopback. On a shared machine "
        "*server* includes waiting for a core; cpu + db is closer to what a quiet machine gives. "
        "The target is server time p95 < 300 ms."
    )
    add("")
    add(
        f"**Result:** {len(measured) - len(missed) - len(no_timing)} of {len(measured)} pages meet the target"
        + (f"; missed: {', '.join(f'`{k}`' for k in missed)}" if missed else "")
        + (f"; no server time (check the errors): {', '.join(no_timing)}" if no_timing else "")
        + "."
    )
    add("")
    head = (
        "| page | role | server p50 ms | server p95 ms | client p95 ms | cpu p50 ms | cpu p95 ms | db p50 ms | "
        "db p95 ms | queries | requests | errors |"
    )
    rule = "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    if before:
        head += " before: server p95 ms | before: db p95 ms | before: queries |"
        rule += " ---: | ---: | ---: |"
    add(head + " result | other load |")
    add(rule + " --- | ---: |")
    for r in rows:
        p95 = _server_p95(r)
        cells = [
            f"{r['name']} (`{r['key']}`)",
            r.get("role") or "–",
            _f(r.get("server_p50_ms")),
            _f(p95),
            _f(r["p95_ms"]),
            _f(r.get("cpu_p50_ms")),
            _f(r.get("cpu_p95_ms")),
            _f(r.get("db_p50_ms")),
            _f(r.get("db_p95_ms")),
            _f(r.get("queries_median")),
            _f(r["requests_ok"]),
            _f(r["errors"] + sum(r.get("unexpected_status", {}).values())),
        ]
        if before:
            earlier = before.get(r["key"]) or {}
            cells += [_f(earlier.get("server_p95_ms")), _f(earlier.get("db_p95_ms")), _f(earlier.get("queries_median"))]
        tgt = r.get("target_p95_ms")
        cells.append(_met(p95 < tgt) if tgt and p95 is not None else "–")
        busy = r.get("background_busy")
        cells.append("–" if busy is None else f"{busy:.0%}")
        add("| " + " | ".join(cells) + " |")
    add("")
    if before:
        add(
            f"*before*: the same pages measured by the same bench on the code before the changes "
            f"(`{pages.get('compare')}`)."
        )
        add("")
    for r in rows:
        if r["errors"] or r.get("unexpected_status"):
            add(
                f"- `{r['key']}`: {r['errors']} transport errors, unexpected statuses {r.get('unexpected_status')}; "
                f"samples: `{r.get('error_samples')}`"
            )
    for note in pages.get("notes") or []:
        add(f"- {note}")
    add("")
    add(PAGES_END)
    add("")
    return lines


def splice_pages(target: Any, results: dict[str, Any]) -> None:
    """Replace the staff-page section of an existing BENCHMARKS.md (or append it)."""
    from pathlib import Path

    path = Path(target)
    section = "\n".join(render_pages(results))
    text = path.read_text(encoding="utf-8") if path.exists() else "# Kesu benchmarks\n\n"
    if PAGES_START in text and PAGES_END in text:
        head, rest = text.split(PAGES_START, 1)
        _old, tail = rest.split(PAGES_END, 1)
        text = head + section.rstrip("\n") + tail
    else:
        marker = "## Audit chain"
        text = text.replace(marker, section + marker, 1) if marker in text else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    # `python -m bench.report [results.json] [output.md]`: re-render from a saved run.
    import json
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "bench" / "out" / "results.json"
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else repo / "BENCHMARKS.md"
    target.write_text(render(json.loads(source.read_text())), encoding="utf-8")
    print(f"wrote {target}")


KEPT_HEADING = "## Measured by their own scripts (kept from earlier runs)"


def _sections(text: str) -> list[tuple[str, str]]:
    """The `## ` sections of a report, as (heading, whole text of the section)."""
    found: list[tuple[str, str]] = []
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            current = [line]
            found.append((line.strip(), ""))
        if current is not None:
            if line is not current[0]:
                current.append(line)
            found[-1] = (found[-1][0], "".join(current))
    return found


def carry_over(old: str, new: str) -> str:
    """`new` (this run's report) with the sections of `old` it does not write itself: the figures
    that bench/search.py, bench/reports.py and the import benchmark write by hand stay in
    BENCHMARKS.md, under a heading that says they were not re-measured by this run."""
    produced = {heading for heading, _body in _sections(new)}
    kept = [
        body
        for heading, body in _sections(old)
        if heading not in produced and heading != KEPT_HEADING and not heading.startswith("### ")
    ]
    if not kept:
        return new
    intro = (
        f"{KEPT_HEADING}\n\nNot re-run by `make bench`: each section names the script and the date it was measured "
        "with. Rerun that script to refresh it.\n\n"
    )
    return new.rstrip("\n") + "\n\n" + intro + "\n".join(b.strip("\n") + "\n" for b in kept)

"""`make bench` rewrites BENCHMARKS.md: the sections other scripts wrote are kept, marked as such."""

from __future__ import annotations

from bench.report import KEPT_HEADING, carry_over

OLD = "# Kesu benchmarks\n\n## Intake\nold intake\n\n## Search (bench/search.py)\np95 12 ms\n\n### a table\nrow\n"
NEW = "# Kesu benchmarks\n\n## Intake\nnew intake\n"


def test_the_sections_this_run_does_not_write_are_kept_under_their_own_heading():
    text = carry_over(OLD, NEW)
    assert "new intake" in text and "old intake" not in text
    assert KEPT_HEADING in text and "## Search (bench/search.py)\np95 12 ms" in text
    assert "### a table\nrow" in text  # a sub-section travels with its section
    assert carry_over(text, NEW).count("## Search (bench/search.py)") == 1  # not doubled run after run


def test_nothing_is_added_when_the_run_writes_every_section():
    assert carry_over(NEW, NEW) == NEW


def _read(key: str, p95: float, target: float | None) -> dict:
    return {"key": key, "name": f"GET {key}", "p95_ms": p95, "target_p95_ms": target}


def test_the_reports_and_the_cost_curve_read_against_their_targets():
    from bench.report import render_reports, render_scale

    reports = {
        "complaints": 100_036,
        "ledger": [{"format": "csv", "rows": 100_036, "s": 6.3, "mb": 30.1, "peak_mb": 4.0}],
        "rebuild": {"complaints": 100_036, "s": 28.9},
        "kpi": [{"group_by": "", "best_s": 0.16, "worst_s": 0.37}],
        "scheduled": [{"kind": "weekly", "best_s": 1.24, "worst_s": 6.0, "pdf_kb": 80.0}],
    }
    text = "\n".join(render_reports(reports))
    assert "| ledger CSV, 100,036 rows (30.1 MB) | 6.30 s, peak 4.0 MB | < 10 s for 100,000 rows" in text
    assert "flat memory | **met** |" in text
    small = {**reports, "ledger": [{**reports["ledger"][0], "rows": 5_000}]}
    assert "| – (fewer rows) |" in "\n".join(render_reports(small))  # not judged on a small table
    assert "| weekly report" in text and "< 5 s | **missed** |" in text  # judged by the worst run
    assert "at 100,036: **met**" in text  # the KPI target is for a million: said at what size it was met
    results = {
        "preload": {"total_complaints": 100_036},
        "reads": [_read("list", 20.0, 50.0), _read("search_short", 40.0, None)],
        "reports": reports,
        "scale": {
            "total_complaints": 1_000_036,
            "preload": {"complaints": 900_000, "total_s": 400.0},
            "reads": [_read("list", 60.0, 50.0), _read("search_short", 80.0, None)],
            "reports": {"kpi": [{"group_by": "", "best_s": 0.2, "worst_s": 0.74}]},
        },
    }
    text = "\n".join(render_scale(results))
    assert "| GET list | 20.0 ms | 60.0 ms | 3.00× | p95 < 50 ms | **missed** |" in text
    assert "| GET search_short | 40.0 ms | 80.0 ms | 2.00× | p95 < 100 ms | **met** |" in text
    assert "| 0.37 s | 0.74 s | 2.00× | < 1 s | **met** |" in text

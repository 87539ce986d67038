"""Each app declares its tasks and their schedule where they live (issue 9, item 11); the core
imports no app, and the in-process scheduler and Celery beat read the same registry."""

from __future__ import annotations

import ast
from pathlib import Path

from kesu.core import scheduler, tasks

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_core_imports_no_app():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "kesu" / "core").rglob("*.py")
        for module in _imported_modules(path)
        if (module.startswith("kesu.") and not module.startswith("kesu.core")) or module == "config.celery"
    }

    assert offending == set()


def test_every_app_task_is_registered_at_start_up():
    assert set(tasks.registry()) >= {
        "deliver_outbox",
        "seal_audit",
        "anchor_audit",
        "sweep_deadlines",
        "escalate_capas",
    }


def test_each_task_declares_its_interval():
    known = {
        "seal_audit": 5.0,
        "anchor_audit": 600.0,
        "deliver_outbox": 30.0,
        "sweep_deadlines": 60.0,
        "escalate_capas": 300.0,
    }

    assert {name: every for name, every in tasks.schedule().items() if name in known} == known


def test_the_scheduler_and_celery_beat_read_the_same_registry():
    from config import celery

    beat = {name: entry["schedule"].total_seconds() for name, entry in celery.app.conf.beat_schedule.items()}

    assert beat == {f"kesu.{name}": every for name, every in tasks.schedule().items()}
    assert dict(scheduler.SCHEDULE) == tasks.schedule()
    assert {name for name in celery.app.tasks if name.startswith("kesu.")} == {
        f"kesu.{name}" for name in tasks.registry()
    }


def test_a_dispatched_task_runs_at_once_and_a_due_one_on_its_interval():
    last_run = {name: 100.0 for name in tasks.schedule()}

    assert scheduler.due_tasks(now=101.0, last_run=last_run, requested={"deliver_outbox"}) == ["deliver_outbox"]
    assert scheduler.due_tasks(now=106.0, last_run=last_run, requested=set()) == ["seal_audit"]
    assert scheduler.due_tasks(now=101.0, last_run=last_run, requested={"no_such_task"}) == []

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

"""Reference data read once per batch (kesu/core/memo.py)."""

from __future__ import annotations

from kesu.core.memo import reference_scope, remembered


def _counting():
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_outside_a_scope_every_read_loads():
    calls, load = _counting()
    assert [remembered("k", load), remembered("k", load)] == [1, 2]
    assert len(calls) == 2


def test_inside_a_scope_a_key_loads_once_and_nested_scopes_share_it():
    calls, load = _counting()
    with reference_scope():
        assert remembered("k", load) == 1
        with reference_scope():
            assert remembered("k", load) == 1
        assert remembered("k", load) == 1
    assert len(calls) == 1
    with reference_scope():
        assert remembered("k", load) == 2  # a new scope reads again

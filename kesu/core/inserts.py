"""Writing the new rows of one change in as few statements as the database allows.

A registration writes a timeline event, its audit record, the triage suggestion and the deadline
rows: four tables. PostgreSQL takes them in one statement (each table's INSERT in a
data-modifying WITH clause); SQLite takes one bulk insert per table. The statements are the
ORM's own (its insert compiler), so field preparation, defaults and JSON encoding are unchanged.

The rows' primary keys are set on SQLite but not on PostgreSQL: use this for rows the transaction
does not read back by key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.sql import InsertQuery


def insert_together(rows: Sequence[models.Model]) -> None:
    """Insert the unsaved `rows` (of one or several models, each with its primary key unset)."""
    groups: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    if not groups:
        return
    if connection.vendor != "postgresql":
        for model, objs in groups.items():
            model._default_manager.bulk_create(objs)
        return
    statements: list[str] = []
    params: list[Any] = []
    for model, objs in groups.items():
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert_together")  # type: ignore[attr-defined]
        query = InsertQuery(model)
        query.insert_values(fields, objs, raw=False)
        [(sql, sql_params)] = query.get_compiler(connection=connection).as_sql()
        statements.append(sql)
        params.extend(sql_params)
    *first, last = statements
    with_clause = ", ".join(f"inserted_{index} AS ({sql})" for index, sql in enumerate(first))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {with_clause} {last}" if with_clause else last, params)
    for objs in groups.values():
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias

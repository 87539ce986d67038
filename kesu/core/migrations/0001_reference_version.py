"""The reference-data version and the triggers that renew it (kesu/core/reference.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# Every table whose rows processes keep in memory: a write of any kind (service, admin, migration,
# raw SQL) renews the token in the writer's transaction, so no process serves stale rows after it.
REFERENCE_TABLES = (
    "accounts_department",
    "triage_category",
    "triage_severityrule",
    "triage_triagepolicy",
    "triage_classifierversion",
    "deadlines_deadlinesettings",
    "deadlines_calendarday",
    "deadlines_calendaryear",
    "deadlines_deadlinekind",
    "deadlines_slapolicy",
    "deadlines_regulatorypreset",
)

# A random token, not a counter: a rolled-back transaction's bump cannot be reused by a later one
# (a process that cached rows under it, inside that transaction, would otherwise serve them).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_referenceversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
    RETURN NULL;
END $$;
"""
_SQLITE_NEW_TOKEN = "UPDATE core_referenceversion SET token = lower(hex(randomblob(16))) WHERE id = 1"


def _create_triggers(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_referenceversion (id, token) VALUES (1, 'initial')")
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in REFERENCE_TABLES:
                cursor.execute(
                    f"CREATE TRIGGER kesu_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION kesu_reference_changed()"
                )
        else:
            for table in REFERENCE_TABLES:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER kesu_reference_{table}_{operation.lower()} AFTER {operation} ON {table} "
                        f"BEGIN {_SQLITE_NEW_TOKEN}; END"
                    )


def _drop_triggers(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in REFERENCE_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS kesu_reference_changed ON {table}")
            else:
                for operation in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS kesu_reference_{table}_{operation}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS kesu_reference_changed()")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_sign_in_throttle"),
        ("triage", "0006_manufacturing_grading_thresholds"),
        ("deadlines", "0008_deadline_updated_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "reference data version"},
        ),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]

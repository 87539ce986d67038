"""PostgreSQL's full-text index moves out of the complaint row into `complaints_complaintsearch`
(complaint id, received_at, tsvector, GIN index), kept in step by the trigger
`complaint_search_sync` when a complaint is inserted or its `search_text` / `received_at` change.

Before, the generated `search_vector` column made every UPDATE of a complaint (a status change,
a deadline missed, an escalation, an assignment) recompute the vector and, since such updates
change indexed columns, add the whole vector to the GIN index again: about two thirds of the cost
of updating a complaint row. SQLite keeps its FTS5 table; the new table stays empty there."""

import django.db.models.deletion
from django.db import migrations, models

import kesu.complaints.models

SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION complaint_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO complaints_complaintsearch (complaint_id, received_at, vector)
    VALUES (NEW.id, NEW.received_at, to_tsvector('simple'::regconfig, NEW.search_text))
    ON CONFLICT (complaint_id) DO UPDATE SET received_at = EXCLUDED.received_at, vector = EXCLUDED.vector;
    RETURN NULL;
END
$$
"""
TRIGGERS = [
    "CREATE TRIGGER complaint_search_insert AFTER INSERT ON complaints_complaint "
    "FOR EACH ROW EXECUTE FUNCTION complaint_search_sync()",
    "CREATE TRIGGER complaint_search_update AFTER UPDATE OF search_text, received_at ON complaints_complaint "
    "FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text "
    "OR OLD.received_at IS DISTINCT FROM NEW.received_at) EXECUTE FUNCTION complaint_search_sync()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("DROP INDEX IF EXISTS complaint_search_vector")
    execute("ALTER TABLE complaints_complaint DROP COLUMN IF EXISTS search_vector")
    execute(SYNC_FUNCTION)
    for trigger in TRIGGERS:
        execute(trigger)
    execute(
        "INSERT INTO complaints_complaintsearch (complaint_id, received_at, vector) "
        "SELECT id, received_at, to_tsvector('simple'::regconfig, search_text) FROM complaints_complaint"
    )
    execute("CREATE INDEX complaint_search_vector ON complaints_complaintsearch USING gin (vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("DROP TRIGGER IF EXISTS complaint_search_insert ON complaints_complaint")
    execute("DROP TRIGGER IF EXISTS complaint_search_update ON complaints_complaint")
    execute("DROP FUNCTION IF EXISTS complaint_search_sync()")
    execute(
        "ALTER TABLE complaints_complaint ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
    )
    execute("DROP INDEX IF EXISTS complaint_search_vector")
    execute("CREATE INDEX complaint_search_vector ON complaints_complaint USING gin (search_vector)")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_closed_in_period_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintSearch",
            fields=[
                (
                    "complaint",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="complaints.complaint",
                    ),
                ),
                ("received_at", models.DateTimeField()),
                ("vector", kesu.complaints.models.TextSearchVector()),
            ],
            options={
                "indexes": [models.Index(fields=["-received_at", "-complaint"], name="complaint_search_recv")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]

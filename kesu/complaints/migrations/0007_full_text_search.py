"""Chinese full-text search (issue 10): PostgreSQL gets a generated tsvector('simple') column of
`search_text` with a GIN index (the trigram index of 0002 goes); SQLite gets the FTS5 table
`complaint_fts`; every complaint's `search_text` is rebuilt as tokens (kesu.complaints.search).
The exact keys' indexes become partial (rows with a key); the customer's name becomes one."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS complaint_search_trgm")
        schema_editor.execute(
            "ALTER TABLE complaints_complaint ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS complaint_search_vector ON complaints_complaint USING gin (search_vector)"
        )
    elif connection.vendor == "sqlite":
        schema_editor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS complaint_fts USING fts5(document)")
    from kesu.complaints.search import rebuild_index

    rebuild_index(
        complaint_model=apps.get_model("complaints", "Complaint"),
        event_model=apps.get_model("complaints", "ComplaintEvent"),
        investigation_model=apps.get_model("resolution", "Investigation"),
    )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS complaint_search_vector")
        schema_editor.execute("ALTER TABLE complaints_complaint DROP COLUMN IF EXISTS search_vector")
    elif connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS complaint_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_close_due_index"),
        ("resolution", "0003_investigation"),
    ]
    operations = [
        *(
            migrations.RemoveIndex(model_name="complaint", name=f"complaint_{key}")
            for key in ("phone_key", "contact_email", "order_no", "product_lot")
        ),
        # The exact keys of search over the rows that have one (an index whose one common value is
        # '' makes SQLite's planner scan the table).
        *(
            migrations.AddIndex(
                model_name="complaint",
                index=models.Index(
                    fields=[key], name=f"complaint_{key}", condition=models.Q(**{f"{key}__gt": ""})
                ),
            )
            for key in ("phone_key", "contact_email", "order_no", "product_lot", "contact_name")
        ),
        migrations.RunPython(forwards, backwards),
    ]

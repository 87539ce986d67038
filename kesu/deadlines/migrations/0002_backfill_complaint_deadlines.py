"""Give complaints registered before deadline records existed their on-time records, from the
due times stored on the complaint (SPEC §7 default units)."""

import datetime as dt

from django.db import migrations

KINDS = (("acknowledge", "acknowledge_due", "hours", 24), ("reply", "reply_due", "working_days", 3),
         ("close", "close_due", "calendar_days", 15))
TERMINAL = {"closed", "withdrawn", "merged", "invalid"}


def backfill(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintDeadline = apps.get_model("deadlines", "ComplaintDeadline")
    rows = []
    for c in Complaint.objects.all().iterator(chunk_size=2000):
        met = {"acknowledge": c.acknowledged_at, "reply": c.replied_at or c.resolved_at,
               "close": c.closed_at if c.status == "closed" else None}
        for kind, field, unit, amount in KINDS:
            due = getattr(c, field)
            if due is None:
                continue
            row = ComplaintDeadline(complaint_id=c.pk, kind=kind, unit=unit, amount=amount, started_at=c.received_at,
                                    due_at=due, created_at=c.received_at, updated_at=c.received_at,
                                    basis={"backfilled": True})
            if met[kind] is not None:
                row.state, row.met_at, row.on_time = "met", met[kind], met[kind] <= due
            elif c.status in TERMINAL:
                row.state = "cancelled"
            else:
                row.next_check_at = due + dt.timedelta(microseconds=1)
            rows.append(row)
        if len(rows) >= 5000:
            ComplaintDeadline.objects.bulk_create(rows)
            rows = []
    ComplaintDeadline.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial"), ("complaints", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

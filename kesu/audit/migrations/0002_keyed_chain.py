"""Key the chain from now on: records and links written before this migration keep their plain
SHA-256 hashes, and the cut-over point is recorded in the chain head."""

from django.db import migrations, models
from django.db.models import Max


def record_cut_over(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    last_id = AuditRecord.objects.aggregate(last=Max("id"))["last"] or 0
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if not last_id:
            return  # a new installation: keyed from the first record (the defaults)
        head = AuditChainHead(pk=1)
    head.keyed_from_seq = head.last_seq + 1
    head.keyed_from_id = last_id + 1
    head.save()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField("auditchainhead", "keyed_from_seq", models.BigIntegerField(default=1)),
        migrations.AddField("auditchainhead", "keyed_from_id", models.BigIntegerField(default=1)),
        migrations.AddField("auditchainhead", "anchored_seq", models.BigIntegerField(default=0)),
        migrations.RunPython(record_cut_over, migrations.RunPython.noop),
    ]

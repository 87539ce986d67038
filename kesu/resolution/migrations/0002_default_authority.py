from decimal import Decimal

from django.db import migrations

DEFAULTS = {"agent": Decimal("20"), "supervisor": Decimal("100"), "manager": Decimal("1000"), "gm": None,
            "handler": Decimal("0")}


def load(apps, schema_editor):
    ApprovalAuthority = apps.get_model("resolution", "ApprovalAuthority")
    for role, limit in DEFAULTS.items():
        ApprovalAuthority.objects.get_or_create(role=role, department=None, defaults={"limit": limit})


class Migration(migrations.Migration):
    dependencies = [("resolution", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

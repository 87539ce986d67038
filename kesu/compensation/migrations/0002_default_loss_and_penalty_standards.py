from django.db import migrations


def load(apps, schema_editor):
    from kesu.compensation.seed import load_tables

    load_tables(apps.get_model("compensation", "LossStandard"), apps.get_model("compensation", "PenaltyStandard"))


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

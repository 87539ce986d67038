from django.db import migrations


def load(apps, schema_editor):
    from kesu.incidents.seed import load_templates

    load_templates(apps.get_model("incidents", "ChecklistTemplate"), apps.get_model("incidents", "ChecklistTemplateItem"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

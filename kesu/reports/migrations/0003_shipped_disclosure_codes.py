"""The shipped JR/T 0169-2018 mapping (kesu/reports/disclosure.py DEFAULT_CODES), editable afterwards."""

from django.db import migrations


def load(apps, schema_editor):
    from kesu.reports.disclosure import DEFAULT_CODES

    model = apps.get_model("reports", "DisclosureCode")
    for axis, source, code, label in DEFAULT_CODES:
        model.objects.get_or_create(axis=axis, source=source, defaults={"code": code, "label": label})


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_published_outcomes_and_disclosure_codes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""CL-1: the default taxonomy's level-4 reasons under its common level-3 codes (a handler sets
them after the facts are verified; intake stops at level 3)."""

from django.db import migrations


def load(apps, schema_editor):
    from kesu.triage.seed import LEVEL_4_REASONS

    Category = apps.get_model("triage", "Category")
    for code, hans, hant, en in LEVEL_4_REASONS:
        parent = Category.objects.filter(code=code.rsplit(".", 1)[0]).first()
        if parent is None:
            continue  # the administrator removed the level-3 code
        Category.objects.get_or_create(
            code=code,
            defaults={"parent": parent, "level": 4, "name_zh_hans": hans, "name_zh_hant": hant, "name_en": en},
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_seed_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

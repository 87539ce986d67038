from django.db import migrations


def load(apps, schema_editor):
    from kesu.triage.seed import CATEGORIES, DEPARTMENTS, SEVERITY_RULES

    Department = apps.get_model("accounts", "Department")
    Category = apps.get_model("triage", "Category")
    SeverityRule = apps.get_model("triage", "SeverityRule")
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    by_code = {}
    for code, hans, hant, en, department in CATEGORIES:
        parent = by_code.get(code.rsplit(".", 1)[0]) if "." in code else None
        by_code[code], _ = Category.objects.get_or_create(
            code=code,
            defaults={"parent": parent, "level": code.count(".") + 1, "name_zh_hans": hans,
                      "name_zh_hant": hant, "name_en": en,
                      "department": departments.get(department) if department else None},
        )
    for rule in SEVERITY_RULES:
        SeverityRule.objects.get_or_create(
            code=rule["code"],
            defaults={"name": rule["name"], "severity": rule["severity"], "keywords_zh_hans": rule["zh_hans"],
                      "keywords_zh_hant": rule["zh_hant"], "keywords_en": rule["en"], "channels": rule["channels"]},
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial"), ("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

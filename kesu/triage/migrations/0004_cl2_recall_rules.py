"""SPEC CL-2 for every criterion in the words customers use (issue 10): the shipped rules gain the
new keywords (an organisation's own keywords are kept), the property-damage rule is added and a
threat to go public or higher becomes major."""

from django.db import migrations


def extend(apps, schema_editor):
    from kesu.triage.seed import SEVERITY_RULES

    SeverityRule = apps.get_model("triage", "SeverityRule")
    for seed in SEVERITY_RULES:
        rule = SeverityRule.objects.filter(code=seed["code"]).first()
        if rule is None:
            SeverityRule.objects.create(
                code=seed["code"], name=seed["name"], severity=seed["severity"], keywords_zh_hans=seed["zh_hans"],
                keywords_zh_hant=seed["zh_hant"], keywords_en=seed["en"], channels=seed["channels"],
            )
            continue
        for field, key in (("keywords_zh_hans", "zh_hans"), ("keywords_zh_hant", "zh_hant"), ("keywords_en", "en")):
            have = [w for w in getattr(rule, field).splitlines() if w.strip()]
            known = {w.strip() for w in have}
            setattr(rule, field, "\n".join(have + [w for w in seed[key].splitlines() if w.strip() not in known]))
        if seed["code"] == "threat_public" and rule.severity == "serious":
            rule.severity = "major"
            rule.name = seed["name"]
        rule.save()


class Migration(migrations.Migration):
    dependencies = [("triage", "0003_triage_intelligence")]
    operations = [migrations.RunPython(extend, migrations.RunPython.noop)]

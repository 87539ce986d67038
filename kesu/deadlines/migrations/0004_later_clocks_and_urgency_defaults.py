"""The clocks added after the first release (SPEC §7, CL-3): two new ways a deadline is met
(registration, the start of the investigation) and, on installations seeded before, the new
default policies (the 48-hour hard limit comes from the built-in fallback; regulator referrals
registered within 1 working day; 加急 and 特急 shorter than 一般). A fresh installation gets
them from kesu.deadlines.setup with the rest."""

from django.db import migrations, models

KINDS = (
    ("acknowledge", "受理确认 acknowledge", "acknowledged"),
    ("reply", "答复客户 reply", "replied"),
    ("close", "结案 close", "closed"),
    ("register", "登记 register", "registered"),
)
# (kind, unit, amount, urgency, channel, name): kesu.deadlines.policies.LATER_DEFAULT_POLICIES
POLICIES = (
    ("register", "working_days", 1, "", "regulator", "regulator referral: register within 1 working day"),
    ("acknowledge", "hours", 12, "urgent", "", "urgent: acknowledge within 12 hours"),
    ("reply", "working_days", 2, "urgent", "", "urgent: reply within 2 working days"),
    ("close", "calendar_days", 10, "urgent", "", "urgent: close within 10 calendar days"),
    ("acknowledge", "hours", 4, "critical", "", "critical: acknowledge within 4 hours"),
    ("reply", "working_days", 1, "critical", "", "critical: reply within 1 working day"),
    ("close", "calendar_days", 7, "critical", "", "critical: close within 7 calendar days"),
)


def add_policies(apps, schema_editor):
    DeadlineSettings = apps.get_model("deadlines", "DeadlineSettings")
    DeadlineKind = apps.get_model("deadlines", "DeadlineKind")
    SlaPolicy = apps.get_model("deadlines", "SlaPolicy")
    if not DeadlineSettings.objects.exists():
        return  # a fresh installation: seeded after migrate with every default
    kinds = {}
    for code, name, met_when in KINDS:
        kinds[code], _created = DeadlineKind.objects.get_or_create(
            code=code, defaults={"name": name, "met_when": met_when, "escalates": True, "builtin": True}
        )
    for kind, unit, amount, urgency, channel, name in POLICIES:
        if not SlaPolicy.objects.filter(kind=kinds[kind], name=name).exists():
            SlaPolicy.objects.create(
                kind=kinds[kind], name=name, unit=unit, amount=amount, urgency=urgency, channel=channel
            )
    DeadlineSettings.objects.update(version="migrated-0004")


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_help_text_without_spec_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deadlinekind",
            name="met_when",
            field=models.CharField(
                choices=[
                    ("registered", "when the complaint is registered"),
                    ("investigating", "when the investigation starts"),
                    ("acknowledged", "when the complaint is acknowledged"),
                    ("replied", "when the customer gets a first reply"),
                    ("resolved", "when the complaint is resolved"),
                    ("closed", "when the complaint is closed"),
                    ("callback_reached", "when the customer is reached on a callback"),
                ],
                max_length=20,
                verbose_name="met",
            ),
        ),
        migrations.RunPython(add_policies, migrations.RunPython.noop),
    ]

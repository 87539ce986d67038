"""Seed the default letters (kesu/notifications/default_letters.py); only missing rows are added."""

from django.db import migrations

from kesu.notifications.default_letters import DEFAULTS


def add_defaults(apps, schema_editor):
    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    for kind, language, subject, body, internal in DEFAULTS:
        LetterTemplate.objects.get_or_create(
            kind=kind, language=language, defaults={"subject": subject, "body": body, "internal": internal},
        )


def remove_defaults(apps, schema_editor):
    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    LetterTemplate.objects.filter(version=1, updated_by__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_letter_template"),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
    ]

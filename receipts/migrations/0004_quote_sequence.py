"""Quotes are numbered in a sequence of their own."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("receipts", "Sequence").objects.get_or_create(name="quote")


class Migration(migrations.Migration):
    dependencies = [("receipts", "0003_quotes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

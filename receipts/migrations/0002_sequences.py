"""The sequences exist from the start: taking a number only ever locks and updates a row."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("receipts", "Sequence").objects.get_or_create(name="invoice")


class Migration(migrations.Migration):
    dependencies = [("receipts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

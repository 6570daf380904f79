"""The health funds customers choose from: reference data every install needs."""

from django.db import migrations
from django.utils.text import slugify

FUNDS = [
    "Medibank", "ahm", "Bupa", "HCF", "nib", "HBF", "Australian Unity", "CBHS",
    "Defence Health", "GMHBA", "Frank", "health.com.au", "Peoplecare", "TUH", "Police Health",
    "Queensland Country Health Fund",
]  # fmt: skip


def forwards(apps, schema_editor):
    HealthFund = apps.get_model("insurance", "HealthFund")
    for order, name in enumerate(FUNDS):
        HealthFund.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "display_order": order}
        )
    HealthFund.objects.get_or_create(
        slug="other", defaults={"name": "Other", "is_other": True, "display_order": 999}
    )


class Migration(migrations.Migration):
    dependencies = [("insurance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

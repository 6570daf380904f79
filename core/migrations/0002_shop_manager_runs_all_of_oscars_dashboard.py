"""Oscar's dashboard checks model permissions on every page (catalogue options and attribute
groups, shipping methods, e-mail templates, reviews, reports, ...). Give the shop manager all
of the shop's apps, so that every section Oscar's navigation offers them opens; and give the
editor the site's content pages (Oscar's "Pages", flatpages) next to the articles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Shop manager": [
        "catalogue",
        "partner",
        "order",
        "offer",
        "voucher",
        "shipping",
        "communication",
        "reviews",
        "analytics",
    ],
    "Editor": ["flatpages"],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, app_labels in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label__in=app_labels))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_staff_roles"),
        ("shipping", "0003_auto_20181115_1953"),
        ("communication", "0004_auto_20200801_0817"),
        ("reviews", "0005_productreview_code"),
        ("analytics", "0003_auto_20200801_0817"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

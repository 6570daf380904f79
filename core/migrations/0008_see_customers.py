"""Shop managers and health-fund officers may see customers: the dashboard's customer page
(sitewide/dashboard/users/), which joins a customer's orders, calls, recommendations and,
for officers only, enquiries. Neither may change or delete an account."""

from django.db import migrations

ROLES = ("Shop manager", "Health-fund officer")


def _view_user(apps, grant: bool):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_user = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    for group in Group.objects.filter(name__in=ROLES):
        (group.permissions.add if grant else group.permissions.remove)(view_user)


def forwards(apps, schema_editor):
    _view_user(apps, grant=True)


def backwards(apps, schema_editor):
    _view_user(apps, grant=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_funnel_day")]

    operations = [migrations.RunPython(forwards, backwards)]

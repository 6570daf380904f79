"""The staff roles, as groups every install has (the dashboard shows each its own part):
shop manager, health-fund officer, consultation expert, consultation lead, editor."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Shop manager": [
        ("catalogue", ["product", "category", "productclass", "productimage", "productattribute"]),
        ("partner", ["stockrecord", "partner", "stockalert"]),
        ("order", ["order", "line", "orderstatuschange", "ordernote", "shippingevent"]),
        ("offer", ["conditionaloffer", "range", "benefit", "condition"]),
        ("voucher", ["voucher", "voucherset"]),
    ],
    "Health-fund officer": [("insurance", ["enquiry", "coveragerule", "healthfund"])],
    "Consultation expert": [("consultations", ["booking", "weeklyavailability", "timeoff"])],
    "Consultation lead": [
        ("consultations", ["booking", "weeklyavailability", "timeoff", "expert", "topic"])
    ],
    "Editor": [("blog", ["article", "category", "tag"])],
}
# Explicit permissions beyond add/change/delete/view of the models above.
EXTRA = {"Health-fund officer": [("insurance", "handle_enquiry")]}


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [
            p
            for app_label, models in grants
            for p in Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            )
        ]
        permissions += [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in EXTRA.get(role, [])
        ]
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0001_initial"),
        ("insurance", "0002_health_funds"),
        ("consultations", "0002_topics_and_no_overlap"),
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
        ("partner", "0007_partneraddress_code"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
        ("offer", "0013_range_excluded_categories"),
        ("voucher", "0010_auto_20210224_0712"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

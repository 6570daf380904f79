"""Each role holds only the permissions its part of the dashboard asks for.

0001 gave the roles every model permission of their apps. The dashboard asks for fewer, and
the admin (superusers only since this change, staff_auth/adminsite.py) no longer turns any of them
into a way round the dashboard's rules. What each part asks for, and where:

* Health-fund officer: `insurance.handle_enquiry` (insurance/dashboard/access.py) and
  `insurance.change_coveragerule` (the coverage table).
* Consultation expert: `consultations.view_booking` (opens the part), `change_booking`
  (move, cancel, record the outcome), and their own hours and time off
  (consultations/dashboard/views.py asks for each).
* Consultation lead: the expert's, and `consultations.change_expert`, which makes a lead.
* Editor: `blog.change_article` (blog/dashboard/access.py) and Oscar's content pages
  (flatpages, from 0002).
* Shop manager: unchanged. Oscar's dashboard asks for model permissions across the shop's
  apps, page by page (0002).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EXPERT = [
    ("consultations", "view_booking"),
    ("consultations", "change_booking"),
    ("consultations", "add_weeklyavailability"),
    ("consultations", "change_weeklyavailability"),
    ("consultations", "delete_weeklyavailability"),
    ("consultations", "add_timeoff"),
    ("consultations", "delete_timeoff"),
]
ROLES = {
    "Health-fund officer": [
        ("insurance", "handle_enquiry"),
        ("insurance", "change_coveragerule"),
    ],
    "Consultation expert": EXPERT,
    "Consultation lead": [*EXPERT, ("consultations", "change_expert")],
    "Editor": [
        ("blog", "change_article"),
        ("flatpages", "view_flatpage"),
        ("flatpages", "add_flatpage"),
        ("flatpages", "change_flatpage"),
        ("flatpages", "delete_flatpage"),
    ],
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in grants
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_page_generation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

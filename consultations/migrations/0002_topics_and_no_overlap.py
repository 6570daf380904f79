"""Topics every install needs, and, on PostgreSQL, an exclusion constraint so that no two
confirmed bookings of one expert overlap in time at all (the unique constraint of 0001 covers
SQLite and the common case of equal start times; this one also stops overlapping ranges)."""

from django.db import migrations

TOPICS = [
    ("back", "Back and spine"),
    ("knee", "Knee"),
    ("ankle-and-foot", "Ankle and foot"),
    ("wrist-and-hand", "Wrist and hand"),
    ("general-fitting", "General fitting advice"),
]

EXCLUSION = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE consultations_booking ADD CONSTRAINT no_overlapping_confirmed_bookings
    EXCLUDE USING gist (expert_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'confirmed');
"""


def topics(apps, schema_editor):
    Topic = apps.get_model("consultations", "Topic")
    for order, (slug, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "display_order": order})


def exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE consultations_booking DROP CONSTRAINT IF EXISTS no_overlapping_confirmed_bookings"
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [
        migrations.RunPython(topics, migrations.RunPython.noop),
        migrations.RunPython(exclusion, drop_exclusion),
    ]

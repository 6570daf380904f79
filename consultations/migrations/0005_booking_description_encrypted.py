"""The booking's description of the problem is health information: encrypt it at rest.

The column stays `text` (a Fernet token is text), so the field's change is the state's only;
the rows already stored are encrypted here with the first of FIELD_ENCRYPTION_KEYS, read and
written through the historical model while its field is still plain text (so nothing tries
to open them on the way). A value that already opens is left alone, so running this again
(or after a partial run) changes nothing. Backwards, the tokens are opened into plain text.

Also: when a booking's personal details were erased (erased_at), the erasure as a change in
the booking's history, and who has seen those details (BookingAccess).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.encryption

BATCH = 500


def _rows(apps):
    """(id, description) of every booking, a batch at a time, as stored. This runs before the
    field becomes encrypted in the migration state, so the historical model's description
    is a plain TextField: values come back as they are in the column, and go in as given."""
    booking = apps.get_model("consultations", "Booking")
    last = 0
    while True:
        batch = list(
            booking.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "description")[:BATCH]
        )
        if not batch:
            return
        yield booking, batch
        last = batch[-1][0]


def encrypt_descriptions(apps, schema_editor):
    for booking, batch in _rows(apps):
        for pk, text in batch:
            if not text or core.encryption.opens(text):
                continue
            if core.encryption.looks_like_token(text):
                # Encrypted with a key that is no longer configured: encrypting it again
                # would hide it for good. Put the old key back (last) and migrate again.
                raise RuntimeError(
                    f"Booking {pk}'s description is encrypted with a key missing from "
                    "FIELD_ENCRYPTION_KEYS"
                )
            token = core.encryption.encrypt_bytes(text.encode()).decode("ascii")
            booking.objects.filter(pk=pk).update(description=token)


def decrypt_descriptions(apps, schema_editor):
    for booking, batch in _rows(apps):
        for pk, text in batch:
            if text and core.encryption.opens(text):
                plain = core.encryption.decrypt_bytes(text.encode("ascii")).decode()
                booking.objects.filter(pk=pk).update(description=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_booking_last_email_error"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # First, while the state's field is still a plain TextField (and, backwards, once it
        # is one again): see _rows.
        migrations.RunPython(encrypt_descriptions, decrypt_descriptions, elidable=False),
        migrations.SeparateDatabaseAndState(
            # Same column type: no ALTER (SQLite would rebuild the whole table for nothing).
            state_operations=[
                migrations.AlterField(
                    model_name="booking",
                    name="description",
                    field=core.encryption.EncryptedTextField(max_length=1000),
                ),
            ],
        ),
        migrations.AddField(
            model_name="booking",
            name="erased_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the customer's details were erased after the retention period.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="bookingevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("rescheduled", "Moved"),
                    ("reassigned", "Reassigned"),
                    ("cancelled", "Cancelled"),
                    ("completed", "Marked completed"),
                    ("no_show", "Marked no-show"),
                    ("erased", "Customer's details erased after the retention period"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="BookingAccess",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "where",
                    models.CharField(
                        choices=[("dashboard", "Dashboard"), ("admin", "Admin")],
                        default="dashboard",
                        max_length=10,
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accesses",
                        to="consultations.booking",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "booking accesses",
                "ordering": ["-at", "-pk"],
            },
        ),
    ]

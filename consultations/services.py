"""The booking queue's business steps, shared by views and the Celery worker.

Work is claimed in the database, never in Redis: a task may run twice, or be killed half-way,
and the booking is still allocated once (the row lock, the status check, the unique constraint).
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import tasks
from consultations.availability import Availability, bookable_window, slot_length
from consultations.models import Booking
from consultations.video import video_provider

logger = logging.getLogger(__name__)


def booking_request_create(*, data: dict, consent_text: str, consent_version: str) -> Booking:
    """Save the request as `queued` and wake a worker once it is committed. The customer is
    sent straight to the booking's page, which follows it through the queue."""
    now = timezone.now()
    booking = Booking.objects.create(
        topic=data["topic"],
        product=data.get("product"),
        customer_time_zone=data["time_zone"],
        starts_at=data["slot"],
        ends_at=data["slot"] + slot_length(),
        name=data["name"],
        email=data["email"],
        phone=data.get("phone", ""),
        description=data["description"],
        consent_text=consent_text,
        consent_version=consent_version,
        queued_at=now,
    )
    transaction.on_commit(lambda: tasks.allocate_booking.delay(booking.pk))
    return booking


def queue_position(booking) -> int:
    """1 for the next booking the workers will take."""
    earlier = Booking.objects.filter(status=Booking.Status.QUEUED, queued_at__lt=booking.queued_at)
    return earlier.count() + 1


def booking_allocate(*, booking_id: int) -> str:
    """Give a queued booking an expert free at its time, least booked that day first.

    Runs inside one transaction holding the booking's row lock. Each candidate is tried in a
    savepoint: if another worker confirmed a booking for that expert and time a moment ago, the
    database refuses (unique/exclusion constraint) and the next candidate is tried. With nobody
    left, the booking needs a new time, or joins the waitlist if nothing at all is free within
    the horizon. Returns the booking's status afterwards."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("topic").get(pk=booking_id)
        if booking.status != Booking.Status.QUEUED:
            return booking.status  # done already (a second delivery of the same message)
        start, end = bookable_window()
        availability = Availability(topic=booking.topic, start=start, end=end)
        for candidate in availability.candidates(booking.starts_at):
            try:
                with transaction.atomic():
                    booking.expert = candidate.expert
                    booking.status = Booking.Status.CONFIRMED
                    booking.confirmed_at = timezone.now()
                    booking.video_url = video_provider().meeting_url(booking)
                    booking.save()
            except IntegrityError:
                booking.expert, booking.status = None, Booking.Status.QUEUED
                continue
            logger.info("Booking %s confirmed", booking.pk)
            transaction.on_commit(lambda: tasks.send_booking_confirmation.delay(booking.pk))
            return booking.status
        booking.status = (
            Booking.Status.NEEDS_NEW_TIME
            if availability.slots_by_expert()
            else Booking.Status.WAITLISTED
        )
        booking.save(update_fields=["status", "expert", "updated_at"])
        logger.info("Booking %s: %s", booking.pk, booking.status)
        return booking.status


def bookings_requeue_stale(*, older_than_seconds: int = 120) -> int:
    """Send again the bookings that sat `queued` too long: their message was lost (Redis
    restarted or flushed) or a worker died holding it. Allocation is idempotent, so a booking
    whose first message is merely slow is safe to send twice."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = list(
        Booking.objects.filter(status=Booking.Status.QUEUED, queued_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for booking_id in stale:
        tasks.allocate_booking.delay(booking_id)
    if stale:
        logger.warning("Re-queued %d bookings left queued since before %s", len(stale), cutoff)
    return len(stale)


def booking_confirmation_send(*, booking_id: int) -> bool:
    """The confirmation e-mail with its calendar invite, once (row lock + sent time)."""
    from consultations.emails import confirmation_message

    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if (
            booking is None
            or booking.confirmation_sent_at
            or booking.status != Booking.Status.CONFIRMED
        ):
            return False
        confirmation_message(booking).send()
        Booking.objects.filter(pk=booking_id).update(confirmation_sent_at=timezone.now())
    return True

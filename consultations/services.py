"""The booking queue's business steps, shared by views and the Celery worker.

Work is claimed in the database, never in Redis: a task may run twice, or be killed half-way,
and the booking is still allocated once (the row lock, the status check, the unique constraint).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations.availability import Availability, bookable_window
from consultations.models import Booking
from consultations.video import video_provider

logger = logging.getLogger(__name__)


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
            return booking.status
        booking.status = (
            Booking.Status.NEEDS_NEW_TIME
            if availability.slots_by_expert()
            else Booking.Status.WAITLISTED
        )
        booking.save(update_fields=["status", "expert", "updated_at"])
        logger.info("Booking %s: %s", booking.pk, booking.status)
        return booking.status

"""The booking queue's Celery tasks: ids in, the database holds the truth. Its e-mails are
the outbox's (consultations/emails.py declares them; core.tasks sends them)."""

from celery import shared_task

from consultations.services import (
    booking_allocate,
    bookings_complete_past,
    bookings_erase_expired,
    bookings_requeue_stale,
)
from core.outbox import RETRY_POLICY


@shared_task(**RETRY_POLICY)
def allocate_booking(booking_id: int) -> None:
    """Queued on commit when a booking is made; safe to run twice (see the service)."""
    booking_allocate(booking_id=booking_id)


@shared_task(acks_late=True)
def sweep_stale_bookings() -> None:
    """Every minute (beat): bookings left queued because their message was lost (Redis down
    or flushed, a worker killed holding it)."""
    bookings_requeue_stale()


@shared_task(acks_late=True)
def complete_past_bookings() -> None:
    bookings_complete_past()


@shared_task(acks_late=True)
def erase_expired_bookings() -> None:
    """Every six hours (beat): the details of bookings finished BOOKING_RETENTION_DAYS ago."""
    bookings_erase_expired()

"""The booking queue's Celery tasks: ids in, the database holds the truth."""

from celery import shared_task
from django.conf import settings

RETRY = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": settings.CELERY_MAX_RETRY_DELAY,
    "max_retries": 8,
}


@shared_task(**RETRY)
def allocate_booking(booking_id: int) -> None:
    """Queued on commit when a booking is made; safe to run twice (see the service)."""
    from consultations.services import booking_allocate

    booking_allocate(booking_id=booking_id)


@shared_task(**RETRY)
def send_booking_confirmation(booking_id: int) -> None:
    from consultations.services import booking_confirmation_send

    booking_confirmation_send(booking_id=booking_id)


@shared_task(acks_late=True)
def sweep_stale_bookings() -> None:
    """Every minute (beat): bookings left queued because their message was lost."""
    from consultations.services import bookings_requeue_stale

    bookings_requeue_stale()

"""The booking queue's Celery tasks: ids in, the database holds the truth."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def allocate_booking(booking_id: int) -> None:
    """Queued on commit when a booking is made; safe to run twice (see the service)."""
    from consultations.services import booking_allocate

    booking_allocate(booking_id=booking_id)

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
def send_booking_email(booking_id: int, kind: str) -> None:
    """confirmation, cancellation, reminder_24h, reminder_1h or new_time_offer; once each."""
    from consultations.services import booking_email_send

    booking_email_send(booking_id=booking_id, kind=kind)


@shared_task(acks_late=True)
def sweep_stale_bookings() -> None:
    """Every minute (beat): bookings left queued, and e-mails still owed, because their
    message was lost (Redis down or flushed, a worker killed holding it)."""
    from consultations.services import booking_emails_resend_owed, bookings_requeue_stale

    bookings_requeue_stale()
    booking_emails_resend_owed()


@shared_task(acks_late=True)
def send_due_reminders() -> None:
    """Every five minutes (beat): 24-hour and 1-hour reminders that are due."""
    from consultations.services import reminders_due

    reminders_due()


@shared_task(acks_late=True)
def complete_past_bookings() -> None:
    from consultations.services import bookings_complete_past

    bookings_complete_past()


@shared_task(acks_late=True)
def erase_expired_bookings() -> None:
    """Every six hours (beat): the details of bookings finished BOOKING_RETENTION_DAYS ago."""
    from consultations.services import bookings_erase_expired

    bookings_erase_expired()

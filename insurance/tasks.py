"""The enquiry's work for the worker: ids in, never the customer's words. Its e-mails are the
outbox's (insurance/emails.py declares them; core.tasks sends them)."""

from celery import shared_task

from insurance.services import enquiries_erase_expired


@shared_task(acks_late=True)
def erase_expired_enquiries() -> None:
    enquiries_erase_expired()

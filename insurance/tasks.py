"""The enquiry's work for the worker: ids in, never the customer's words."""

from celery import shared_task
from django.conf import settings

RETRY = {
    "autoretry_for": (OSError,),  # the mail server refusing or unreachable
    "retry_backoff": True,
    "retry_backoff_max": settings.CELERY_MAX_RETRY_DELAY,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(**RETRY)
def send_enquiry_acknowledgement(enquiry_id: int) -> None:
    from insurance.services import enquiry_email_send

    enquiry_email_send(enquiry_id=enquiry_id, kind="acknowledgement")


@shared_task(**RETRY)
def notify_staff_of_enquiry(enquiry_id: int) -> None:
    from insurance.services import enquiry_email_send

    enquiry_email_send(enquiry_id=enquiry_id, kind="staff_notice")


@shared_task(**RETRY)
def send_enquiry_answer(enquiry_id: int) -> None:
    from insurance.services import enquiry_email_send

    enquiry_email_send(enquiry_id=enquiry_id, kind="answer")


@shared_task(acks_late=True)
def erase_expired_enquiries() -> None:
    from insurance.services import enquiries_erase_expired

    enquiries_erase_expired()


@shared_task(acks_late=True)
def sweep_owed_enquiry_emails() -> None:
    """Every minute (beat): e-mails an enquiry still owes because their message was lost."""
    from insurance.services import enquiry_emails_resend_owed

    enquiry_emails_resend_owed()

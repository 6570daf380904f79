"""The business steps of a health-fund enquiry, shared by the views, the admin and the worker.

Nothing here logs or queues what the customer typed: tasks get ids, logs get references."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import limits
from core.queue import SWEEP_GRACE_SECONDS, SWEEP_WINDOW, enqueue_last_try, enqueue_on_commit
from insurance import tasks
from insurance.coverage import indicative_answer
from insurance.models import AuditEntry, Enquiry
from insurance.privacy import CONSENT_TEXT, CONSENT_VERSION
from insurance.uploads import encrypted_file

logger = logging.getLogger(__name__)


def audit(enquiry, action, *, actor=None, detail=""):
    AuditEntry.objects.create(
        reference=enquiry.reference,
        enquiry=enquiry,
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        detail=detail[:200],
    )


def enquiry_submit(
    *, data: dict, upload=None, client_address: str, submission_key
) -> tuple[Enquiry, bool]:
    """Save the enquiry with a fresh reference and the indicative answer the customer is
    shown, in one transaction; the acknowledgement and the staff notice are queued after it
    commits (never before the row exists, never with its contents). Returns (enquiry,
    created): a form sent again (the same `submission_key`) returns the enquiry it made,
    and makes and sends nothing new.

    Raises core.limits.LimitReached, saving nothing, when the connecting address has sent
    ENQUIRY_RATE_LIMIT enquiries, or the e-mail address (never confirmed as the typer's) has
    been sent its day's e-mails."""
    with transaction.atomic():
        # The same form sent twice at once waits in form_admit for the first, then finds it.
        existing = limits.form_admit(
            scope="enquiry",
            rate=settings.ENQUIRY_RATE_LIMIT,
            client_address=client_address,
            email=data["email"],
            already_made=lambda: Enquiry.objects.filter(submission_key=submission_key).first(),
        )
        if existing is not None:
            return existing, False
        enquiry = _enquiry_create(data=data, upload=upload, submission_key=submission_key)
    enqueue_on_commit(tasks.send_enquiry_acknowledgement, enquiry.pk)
    enqueue_on_commit(tasks.notify_staff_of_enquiry, enquiry.pk)
    logger.info("Enquiry %s received", enquiry.reference)
    return enquiry, True


def _enquiry_create(*, data: dict, upload, submission_key) -> Enquiry:
    answer = indicative_answer(
        fund=data["fund"], cover_level=data["cover_level"], product=data["product"]
    )
    fields = {
        **data,
        "submission_key": submission_key,
        "consent_text": CONSENT_TEXT,
        "consent_version": CONSENT_VERSION,
        "consented_at": timezone.now(),
        "indicative_answer": answer.as_dict(),
    }
    if upload is not None:
        fields.update(
            upload=encrypted_file(upload),
            upload_content_type=upload.content_type,
            upload_name=upload.original_name,
        )
    for _attempt in range(5):  # a clash of random references is rare; try another
        try:
            with transaction.atomic():
                enquiry = Enquiry.objects.create(**fields)
                audit(enquiry, AuditEntry.Action.CREATED)
        except IntegrityError:
            continue
        return enquiry
    raise RuntimeError("Could not find a free enquiry reference")


class AlreadyAnswered(Exception):
    """Someone else answered the enquiry first."""


def enquiry_answer(*, enquiry_id: int, outcome: str, estimated_rebate, message: str, by) -> Enquiry:
    """Record the staff answer and queue its e-mail. Two officers answering at once: the
    conditional update lets exactly one through; the other gets AlreadyAnswered."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Enquiry.objects.filter(pk=enquiry_id, answered_at__isnull=True).update(
            answered_at=now, answered_by=by, status=Enquiry.Status.ANSWERED, updated_at=now
        )
        if not claimed:
            raise AlreadyAnswered
        enquiry = Enquiry.objects.get(pk=enquiry_id)
        enquiry.outcome = outcome
        enquiry.estimated_rebate_aud = estimated_rebate
        enquiry.answer_message = message
        enquiry.save(update_fields=["outcome", "estimated_rebate_aud", "answer_message"])
        audit(enquiry, AuditEntry.Action.ANSWERED, actor=by, detail=enquiry.get_outcome_display())
    enqueue_on_commit(tasks.send_enquiry_answer, enquiry_id)
    return enquiry


# --------------------------------------------------------------------------------------------
# E-mails, each sent once: the row is locked while it is sent, and the time it went is kept.
# --------------------------------------------------------------------------------------------

EMAILS = {
    "acknowledgement": ("acknowledgement_sent_at", "insurance/emails/acknowledgement"),
    "staff_notice": ("staff_notified_at", "insurance/emails/staff_notice"),
    "answer": ("answer_sent_at", "insurance/emails/answer"),
}


def enquiry_email_send(*, enquiry_id: int, kind: str) -> bool:
    """Send one of the enquiry's e-mails unless it has gone already. Returns whether it was
    sent now. A failure propagates (the task retries) and is recorded on the row."""
    sent_field, template = EMAILS[kind]
    try:
        with transaction.atomic():
            enquiry = Enquiry.objects.select_for_update().filter(pk=enquiry_id).first()
            if enquiry is None or getattr(enquiry, sent_field):
                return False
            if kind == "answer" and not enquiry.answered_at:
                return False
            _email(enquiry, kind, template).send()
            sent = {sent_field: timezone.now(), "last_email_error": ""}
            Enquiry.objects.filter(pk=enquiry_id).update(**sent)
            audit(enquiry, AuditEntry.Action.EMAILED, detail=kind)
    except Exception as error:
        # Outside the rolled-back transaction, so the dashboard can show what went wrong.
        failure = f"{kind}: {type(error).__name__}"[:200]
        Enquiry.objects.filter(pk=enquiry_id).update(last_email_error=failure)
        raise
    logger.info("Enquiry %s: %s e-mail sent", enquiry.reference, kind)
    return True


def enquiry_emails_resend_owed(*, older_than_seconds: int = SWEEP_GRACE_SECONDS, now=None) -> int:
    """Queue again every e-mail an enquiry still owes once its grace period is over: its
    message was lost (Redis down when the enquiry was sent or answered, or flushed) or its
    retries are spent. Younger ones are left to the message on its way. Sending twice is
    harmless: the row is locked while it is sent and its *_sent_at says it went."""
    now = now or timezone.now()
    owed_since = (now - SWEEP_WINDOW, now - timedelta(seconds=older_than_seconds))
    owed = {
        tasks.send_enquiry_acknowledgement: Enquiry.objects.filter(
            acknowledgement_sent_at__isnull=True, created_at__range=owed_since
        ),
        tasks.notify_staff_of_enquiry: Enquiry.objects.filter(
            staff_notified_at__isnull=True, created_at__range=owed_since
        ),
        tasks.send_enquiry_answer: Enquiry.objects.filter(
            answer_sent_at__isnull=True, answered_at__range=owed_since
        ),
    }
    queued = 0
    for task, enquiries in owed.items():
        for enquiry_id in enquiries.values_list("pk", flat=True):
            queued += enqueue_last_try(task, enquiry_id)
    if queued:
        logger.warning(
            "Queued again %d enquiry e-mails owed since before %s", queued, owed_since[1]
        )
    return queued


def _email(enquiry, kind, template) -> EmailMultiAlternatives:
    staff = kind == "staff_notice"
    # Officers work in the dashboard; the admin is for superusers only (core/adminsite.py).
    dashboard_path = reverse("insurance-dashboard:enquiry-detail", args=[enquiry.reference])
    context = {
        "enquiry": enquiry,
        "dashboard_url": settings.SITE_URL + dashboard_path,
        "shop_name": settings.OSCAR_SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string(f"{template}_subject.txt", context).strip(),
        body=render_to_string(f"{template}.txt", context),
        to=[settings.INSURANCE_STAFF_EMAIL] if staff else [enquiry.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def enquiries_erase_expired(*, now=None) -> int:
    """Erase enquiries closed longer ago than the retention period, uploads included. The
    audit trail keeps the reference and that it was erased, nothing else."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ENQUIRY_RETENTION_DAYS)
    erased = 0
    for enquiry in Enquiry.objects.filter(status=Enquiry.Status.CLOSED, closed_at__lt=cutoff):
        with transaction.atomic():
            if enquiry.upload:
                enquiry.upload.delete(save=False)
            audit(enquiry, AuditEntry.Action.ERASED)
            enquiry.delete()
        erased += 1
    if erased:
        logger.info("Erased %d enquiries closed before %s", erased, cutoff.date())
    return erased

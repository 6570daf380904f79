"""The business steps of a health-fund enquiry, shared by the views, the admin and the worker.

Nothing here logs or queues what the customer typed: tasks get ids, logs get references."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from core import clock, limits, outbox
from insurance.coverage import indicative_answer
from insurance.dashboard.access import can_handle_enquiries
from insurance.models import AuditEntry, Enquiry, EnquiryNote
from insurance.privacy import CONSENT_TEXT, CONSENT_VERSION
from insurance.selectors import enquiries_for_address
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
    outbox.owe("enquiry.acknowledgement", enquiry.pk)
    outbox.owe("enquiry.staff_notice", enquiry.pk)
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
        "consented_at": clock.now(),
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
        now = clock.now()
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
    outbox.owe("enquiry.answer", enquiry_id)
    return enquiry


def enquiry_handle(*, enquiry_id: int, status: str, assigned_to, by) -> list[str]:
    """Set an enquiry's status and who handles it; returns what changed. Closing it starts
    the retention clock (``closed_at``, once: reopening and closing again keeps the first),
    after which enquiries_erase_expired erases it. Each change is in the audit trail."""
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id)
        changed = []
        for field, value in (("status", status), ("assigned_to", assigned_to)):
            if getattr(enquiry, field) != value:
                setattr(enquiry, field, value)
                changed.append(field)
        if not changed:
            return []
        if enquiry.status == Enquiry.Status.CLOSED and not enquiry.closed_at:
            enquiry.closed_at = clock.now()
            changed.append("closed_at")
        enquiry.save(update_fields=[*changed, "updated_at"])
        detail = f"status: {enquiry.get_status_display()}" if "status" in changed else "assignment"
        audit(enquiry, AuditEntry.Action.CHANGED, actor=by, detail=detail)
    return changed


def enquiry_note_add(*, enquiry_id: int, text: str, by) -> EnquiryNote:
    """An internal note (staff only; never shown or sent to the customer), audited."""
    with transaction.atomic():
        enquiry = Enquiry.objects.get(pk=enquiry_id)
        note = EnquiryNote.objects.create(enquiry=enquiry, author=by, text=text)
        audit(enquiry, AuditEntry.Action.NOTE_ADDED, actor=by)
    return note


def enquiries_erase_expired(*, now=None) -> int:
    """Erase enquiries closed longer ago than the retention period, uploads included. The
    audit trail keeps the reference and that it was erased, nothing else."""
    cutoff = (now or clock.now()) - timedelta(days=settings.ENQUIRY_RETENTION_DAYS)
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


def enquiries_show(*, email: str, viewer) -> tuple[list | None, int]:
    """The enquiries sent with this (proven) address, for the dashboard's customer page. A
    health-fund officer gets them whole, and each one shown goes into its audit trail; anyone
    else who may see customers learns only how many there are, never what is in them.
    Returns (the enquiries, or None for those who may not read them; how many)."""
    enquiries = enquiries_for_address(email).order_by("-created_at")
    if not can_handle_enquiries(viewer):
        return None, enquiries.count()
    shown = list(enquiries)
    for enquiry in shown:
        audit(enquiry, AuditEntry.Action.VIEWED, actor=viewer, detail="on the customer's page")
    return shown, len(shown)

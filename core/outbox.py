"""The outbox: every e-mail the site owes somebody, declared once and sent once.

A department declares each e-mail it owes (its ``emails.py``, imported by its AppConfig):

    outbox.declare(OwedEmail(
        kind="booking.confirmation",          # "<department>.<name>", also the task's argument
        owed=lambda now: Booking.objects.confirmed().filter(confirmation_sent_at=None, ...),
        since="updated_at",                   # when it became owed (None: due by the clock)
        build=lambda booking: booking_message(booking, "confirmation"),
        sent_field="confirmation_sent_at",    # how "sent" is recorded on the row
        error_field="last_email_error",       # where the last failure is shown to staff
        version_field="sequence",             # a change during the send makes it owed again
    ))

and a service that makes it owed (in the same transaction as the change) calls
``outbox.owe("booking.confirmation", booking.pk)``: a wake-up call queued on commit. The one
task (core.tasks.send_owed_email) calls ``deliver``; the one beat entry (core.tasks.sweep_outbox)
calls ``sweep``, which queues again whatever is still owed after its grace period (the message
was lost with Redis, or its retries are spent) and whatever the clock has made due (reminders).

Sent once, without holding the row while the mail server answers
-----------------------------------------------------------------
The row is not locked during the send: a stalled mail server (up to EMAIL_TIMEOUT) must not
make a member of staff moving the call wait. Instead the sender *claims* the e-mail (an
OutboxClaim row, unique per e-mail and row, for OUTBOX_CLAIM_SECONDS), builds and sends it
outside any transaction, then records it on the row with a conditional update: only if the
row's ``version_field`` is what the message was built from. If the row changed meanwhile (a
call moved while its old invite was going out), the e-mail is still owed and is built again
from the row as it is now. A second delivery of the same wake-up call later finds the record
and sends nothing; one at the same time finds the claim, and its task tries again once the
claim could have run out (``claim_left``): by then the first has recorded it, or died. A
worker killed mid-send (its message comes back after the visibility timeout) leaves a claim
that runs out after OUTBOX_CLAIM_SECONDS, a little longer than the slowest send can take
(twice EMAIL_TIMEOUT), and the e-mail is then sent: at least once, and once in every case
but a worker killed after the mail server took the message and before the record (as
before, when the row lock's transaction rolled back).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction

from core import clock
from core.models import OutboxClaim
from core.queue import (
    MAX_RETRIES,
    SWEEP_GRACE_SECONDS,
    SWEEP_WINDOW,
    enqueue_last_try,
    enqueue_on_commit,
)

logger = logging.getLogger(__name__)

SEND_TASK = "core.tasks.send_owed_email"
# One retry policy for every owed e-mail (core.tasks.send_owed_email): the mail server refusing
# or unreachable is retried with growing, capped delays; after the last, the sweep tries once a
# minute for SWEEP_WINDOW and the row shows staff what went wrong.
RETRY_POLICY = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": settings.CELERY_MAX_RETRY_DELAY,
    "max_retries": MAX_RETRIES,
}
# A changed row is built and sent again at once at most this many times in one delivery; a
# row changing faster than that is left to the next wake-up call or the sweep.
REBUILDS = 3


@dataclass(frozen=True)
class OwedEmail:
    kind: str
    # The rows that owe this e-mail now (select_related what the message needs). Asked by the
    # sweep and again just before sending, so "owed" has one definition.
    owed: Callable[[datetime], models.QuerySet]
    # The message (an EmailMessage) for one row; built outside any transaction.
    build: Callable[[models.Model], object] | None = None
    # Or, when the department's library sends for itself (Oscar's dispatcher), the send.
    send: Callable[[models.Model], None] | None = None
    # The row's field from which the e-mail counts as owed, for the sweep's grace period and
    # window; None when the clock makes it due (the sweep is then its only sender).
    since: str | None = None
    sent_field: str | None = None
    error_field: str | None = None
    version_field: str | None = None
    # Extra record-keeping once it went, in the recording transaction (an audit entry).
    after_sent: Callable[[models.Model], None] | None = None
    # Records "sent" where it is not a field (Oscar's communication events); returns whether
    # it recorded. Used instead of sent_field.
    record: Callable[[models.Model, datetime], bool] | None = None
    # Shows staff a failure where it is not a field (an order note).
    failed: Callable[[int, Exception], None] | None = None
    # How the row is named in the log ("Enquiry BF-7K2Q"); never personal data.
    label: Callable[[models.Model], str] | None = None

    def describe(self, row) -> str:
        return self.label(row) if self.label else f"{type(row).__name__} {row.pk}"

    @property
    def name(self) -> str:
        """ "confirmation" for "booking.confirmation": how the failure reads to staff."""
        return self.kind.partition(".")[2]


_declared: dict[str, OwedEmail] = {}


def declare(email: OwedEmail) -> OwedEmail:
    if _declared.get(email.kind, email) is not email:
        raise ValueError(f"{email.kind} is declared twice")
    _declared[email.kind] = email
    return email


def declared() -> dict[str, OwedEmail]:
    return dict(_declared)


def owe(kind: str, pk: int) -> None:
    """Say that the row ``pk`` now owes the e-mail ``kind``: it is sent once the current
    transaction commits (or by the sweep, if Redis cannot take the wake-up call)."""
    if kind not in _declared:
        raise KeyError(f"no owed e-mail is declared as {kind!r}")
    enqueue_on_commit(SEND_TASK, kind, pk)


def deliver(*, kind: str, pk: int) -> bool:
    """Send the e-mail ``kind`` for row ``pk`` if it is still owed and nobody is sending it.
    Returns whether it was sent now. A failure propagates (the task retries) after it is
    recorded where staff see it."""
    email = _declared[kind]
    for _ in range(REBUILDS):
        outcome = _deliver_once(email, pk)
        if outcome is not None:
            return outcome
    return False


def _deliver_once(email: OwedEmail, pk: int) -> bool | None:
    """True: sent and recorded. False: not owed, or somebody else holds it. None: sent, but
    the row changed during the send, so what it owes now must be built again."""
    now = clock.now()
    row = email.owed(now).filter(pk=pk).first()
    if row is None or not _claim(email, pk, now):
        return False
    try:
        try:
            if email.send is not None:
                email.send(row)
            else:
                email.build(row).send()
        except Exception as error:
            _failed(email, pk, error)
            raise
        recorded = _record(email, row)
    finally:
        OutboxClaim.objects.filter(kind=email.kind, object_id=pk).delete()
    if not recorded:
        logger.info("%s changed while its %s e-mail was sent", email.describe(row), email.name)
        return None
    logger.info("%s: %s e-mail sent", email.describe(row), email.name)
    return True


def claim_left(*, kind: str, pk: int) -> float | None:
    """Seconds until another sender's claim on this e-mail runs out, or None if there is
    none: the task that found it claimed tries again then."""
    now = clock.now()
    until = (
        OutboxClaim.objects.filter(kind=kind, object_id=pk, claimed_until__gt=now)
        .values_list("claimed_until", flat=True)
        .first()
    )
    return None if until is None else (until - now).total_seconds()


def _claim(email: OwedEmail, pk: int, now: datetime) -> bool:
    until = now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    try:
        with transaction.atomic():
            claim, created = OutboxClaim.objects.select_for_update().get_or_create(
                kind=email.kind, object_id=pk, defaults={"claimed_until": until}
            )
            if created:
                return True
            if claim.claimed_until > now:
                return False  # another worker is sending it now
            claim.claimed_until = until  # a sender died holding it: take it over
            claim.save(update_fields=["claimed_until"])
            return True
    except IntegrityError:
        return False  # claimed by another worker in the same instant


def _record(email: OwedEmail, row) -> bool:
    sent_at = clock.now()
    with transaction.atomic():
        if email.record is not None:
            recorded = email.record(row, sent_at)
        else:
            match = {"pk": row.pk}
            if email.version_field:
                match[email.version_field] = getattr(row, email.version_field)
            update = {email.sent_field: sent_at}
            if email.error_field:
                update[email.error_field] = ""
            recorded = bool(type(row)._default_manager.filter(**match).update(**update))
        if recorded and email.after_sent is not None:
            email.after_sent(row)
    return recorded


def _failed(email: OwedEmail, pk: int, error: Exception) -> None:
    """Outside any transaction (none is open), so the dashboard shows what went wrong."""
    if email.failed is not None:
        email.failed(pk, error)
        return
    if email.error_field:
        model = email.owed(clock.now()).model
        failure = f"{email.name}: {type(error).__name__}"[:200]
        model._default_manager.filter(pk=pk).update(**{email.error_field: failure})


def sweep(*, now: datetime | None = None, older_than_seconds: int = SWEEP_GRACE_SECONDS) -> int:
    """Queue every owed e-mail that has no wake-up call on its way: owed for longer than the
    grace period (and less than SWEEP_WINDOW), or made due by the clock. Returns how many
    were queued. Each is one last try, not a new chain of retries (core.queue)."""
    now = now or clock.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    due = again = 0
    for email in _declared.values():
        rows = email.owed(now)
        if email.since:
            rows = rows.filter(**{f"{email.since}__range": (now - SWEEP_WINDOW, cutoff)})
        for pk in rows.values_list("pk", flat=True):
            queued = enqueue_last_try(SEND_TASK, email.kind, pk)
            if email.since:
                again += queued
            else:
                due += queued
    if again:
        logger.warning("Outbox: queued again %d e-mails owed since before %s", again, cutoff)
    return due + again

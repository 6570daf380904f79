from celery import shared_task
from celery.signals import worker_ready

from core import funnel, outbox
from core.health import heartbeat_record
from core.limits import rate_limits_prune


@shared_task(ignore_result=True)
def record_heartbeat() -> None:
    """Run by beat every HEARTBEAT_INTERVAL seconds; /healthz reads what it writes."""
    heartbeat_record()


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    # A worker that just started is alive: say so at once rather than after the first tick.
    heartbeat_record()


@shared_task(ignore_result=True)
def prune_rate_limits() -> None:
    """Run by beat daily: forget form-limit rows idle longer than any limit's window."""
    rate_limits_prune()


@shared_task(bind=True, **outbox.RETRY_POLICY)
def send_owed_email(self, kind: str, pk: int) -> None:
    """Every owed e-mail (core/outbox.py): queued on commit by ``outbox.owe``, and by the
    sweep. Safe to run twice, at once or later: it is sent once. Found being sent by another
    worker, it looks again when that worker's claim could have run out (it may have died)."""
    if outbox.deliver(kind=kind, pk=pk):
        return
    left = outbox.claim_left(kind=kind, pk=pk)
    if left is not None:
        raise self.retry(countdown=left + 1)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> None:
    """Every minute (beat): owed e-mails whose message was lost or whose retries are spent,
    and those the clock has made due (the reminders before a call)."""
    outbox.sweep()


@shared_task
def flush_funnel() -> int:
    """Beat, every ANALYTICS_FLUSH_SECONDS: what each article led to, from Redis into
    core.FunnelDay (core/funnel.py)."""
    return funnel.flush()

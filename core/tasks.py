from celery import shared_task
from celery.signals import worker_ready

from core.health import heartbeat_record


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
    from core.limits import rate_limits_prune

    rate_limits_prune()

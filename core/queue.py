"""Queueing work for the worker without making the customer's request depend on Redis.

The database is the source of truth (DESIGN.md): every row records the work still owed on it
(an e-mail's ``*_sent_at`` still empty, a booking still ``queued``), and a message on Redis is
only a wake-up call. So a request whose row is committed has succeeded even when Redis cannot
take the message: the publish is tried once, for at most REDIS_TIMEOUT (a fraction of a
second; CELERY_TASK_PUBLISH_RETRY_POLICY), a warning is logged, and the periodic sweeps (beat)
find the owed work in the database and queue it again once Redis is back.

A publish that failed also rests the broker for this process (core.health.redis_resting): for
REDIS_RETRY_AFTER seconds nothing is published, so during an outage a stream of POSTs costs
one timeout per process in that while, not one each, and so does a sweep, not one per row.
A message that reached a Redis that then stopped answering may still be delivered once it
answers again, besides the sweep's copy: every task claims its work by a conditional update
(a ``*_sent_at`` set, a booking no longer ``queued``), so the second finds nothing to do.
"""

import logging
from datetime import timedelta

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from core.health import redis_answered, redis_failed, redis_resting

logger = logging.getLogger(__name__)

# Work owed for longer than this is queued again by the sweeps; younger work is left to the
# message already on its way (or its retries), so the sweep does not race the normal task.
SWEEP_GRACE_SECONDS = 120
# ...and for at most this long: an e-mail that still could not go after a day (an address the
# mail server refuses for good) is left to staff, who see the failure on the dashboard.
SWEEP_WINDOW = timedelta(days=1)

BROKER_ERRORS = (OperationalError, RedisError, OSError)


# How often a task on the outbox's retry policy (and the booking allocation) is retried; the
# sweeps' last try says these are spent, so it starts no new chain.
MAX_RETRIES = 8


class _TaskByName:
    """A task named by a service ("consultations.tasks.allocate_booking") in a process that
    has not imported its module (a web process never imports the tasks modules: they import
    the services). Published by name; the worker, which has them all, runs it."""

    max_retries = MAX_RETRIES

    def __init__(self, name: str):
        from celery import current_app

        self.name, self.app = name, current_app

    def delay(self, *args):
        return self.app.send_task(self.name, args=args)

    def apply_async(self, args, retries: int = 0):
        return self.app.send_task(self.name, args=args, retries=retries)


def _task(task):
    """A task, or its name: services queue work by name so they never import the tasks
    module that imports them. The registered task when this process has it (tests patch its
    ``delay``), else the name alone."""
    if isinstance(task, str):
        from celery import current_app

        return current_app.tasks.get(task) or _TaskByName(task)
    return task


def _publish(task, args, send) -> bool:
    """``send()`` unless the broker is resting; False, logged, when it was not sent. The log
    names the task and its ids only: task arguments never carry personal data."""
    broker = task.app.conf.broker_url
    if redis_resting(broker):
        logger.info(
            "%s%r not queued: the broker failed to answer a moment ago; the sweep will queue it",
            task.name,
            args,
        )
        return False
    try:
        send()
    except BROKER_ERRORS as error:
        log = logger.warning if redis_failed(broker) else logger.info
        log(
            "%s%r not queued, the broker is unreachable (%s); the sweep will queue it again",
            task.name,
            args,
            type(error).__name__,
        )
        return False
    redis_answered(broker)
    return True


def enqueue(task, *args) -> bool:
    """Queue ``task(*args)`` now; False, with a warning, when the broker cannot take it."""
    task = _task(task)
    return _publish(task, args, lambda: task.delay(*args))


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (never before the row
    exists); a broker that is down is logged, not raised into the customer's request."""
    transaction.on_commit(lambda: enqueue(task, *args))


def enqueue_last_try(task, *args) -> bool:
    """For the sweeps: one more attempt at owed work, without starting a new chain of retries
    (the message says its retries are spent). The next sweep is the retry, so a mail server
    that is down for an hour costs one attempt per owed e-mail per sweep, not a growing pile
    of retry chains."""
    task = _task(task)
    return _publish(task, args, lambda: task.apply_async(args, retries=task.max_retries or 0))

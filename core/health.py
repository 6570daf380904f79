"""What /healthz reports: can we reach the database and Redis, and is a worker alive?

The worker's liveness is a heartbeat that the worker writes into Redis (on start and then on
every beat tick), so a fresh value proves that beat schedules, Redis carries and a worker runs.

Redis must never hold up a request, whether it refuses connections (stopped) or accepts them
and never answers (paused, overloaded, cut off without a reset): every client the site has
gives up after REDIS_TIMEOUT, connecting or waiting for a reply. And a process that found
Redis not answering leaves it alone for REDIS_RETRY_AFTER seconds (`redis_resting`), so during
an outage a stream of requests pays that timeout once per process in that while, not each.
"""

import json
import socket
import time
from collections.abc import Hashable

import redis
from django.conf import settings
from django.db import connection

HEARTBEAT_KEY = "backcare:worker-heartbeat"


_pools: dict[tuple[str, float], redis.ConnectionPool] = {}


def redis_client(*, timeout: float | None = None) -> redis.Redis:
    """A client on this process's pool for the URL and timeout (REDIS_TIMEOUT unless given):
    the connection is reused, so counting a product view costs one round trip, not a new
    connection (redis-py starts a new pool after a fork by itself). A connection whose reply
    did not come in time is closed by redis-py, never reused: a late reply cannot be read as
    the answer to the next command."""
    key = (settings.REDIS_URL, settings.REDIS_TIMEOUT if timeout is None else timeout)
    if key not in _pools:
        _pools[key] = redis.ConnectionPool.from_url(
            key[0], socket_connect_timeout=key[1], socket_timeout=key[1]
        )
    return redis.Redis(connection_pool=_pools[key])


# When each Redis (a broker URL, a pool) last failed to answer this process.
_failed_at: dict[Hashable, float] = {}


def redis_resting(key: Hashable) -> bool:
    """True while this process leaves that Redis alone: it failed to answer less than
    REDIS_RETRY_AFTER seconds ago. The work it would have been given waits where it would
    have waited anyway (a row for the sweeps, a count in the process)."""
    failed_at = _failed_at.get(key)
    return failed_at is not None and time.monotonic() - failed_at < settings.REDIS_RETRY_AFTER


def redis_failed(key: Hashable) -> bool:
    """Note that Redis failed to answer just now; True if it had been answering until then
    (worth a warning: the failures after it are the same outage)."""
    first = key not in _failed_at
    _failed_at[key] = time.monotonic()
    return first


def redis_answered(key: Hashable) -> None:
    _failed_at.pop(key, None)


def heartbeat_record(*, client: redis.Redis | None = None) -> None:
    """Write "a worker was alive now" into Redis; it expires on its own when no longer true.
    Written by the worker, where nobody waits: a slow Redis gets a few seconds."""
    client = client or redis_client(timeout=5)
    value = json.dumps({"at": time.time(), "worker": socket.gethostname()})
    client.set(HEARTBEAT_KEY, value, ex=settings.HEARTBEAT_STALE_AFTER * 4)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # every failure is a report, never a 500
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_redis_and_worker() -> tuple[str, str]:
    """One round trip (reading the heartbeat proves Redis answers), within REDIS_TIMEOUT: a
    Redis that does not answer is reported as such, not waited for. Always asked, even while
    requests leave Redis resting: this is where staff and load balancers see the truth."""
    try:
        raw = redis_client().get(HEARTBEAT_KEY)
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}", "unknown: Redis unreachable"
    if raw is None:
        return "ok", "error: no heartbeat (is a celery worker and beat running?)"
    age = time.time() - json.loads(raw)["at"]
    if age > settings.HEARTBEAT_STALE_AFTER:
        return "ok", f"error: stale, last heartbeat {age:.0f}s ago (is celery beat running?)"
    return "ok", "ok"


def health_report() -> dict[str, str]:
    redis_status, worker_status = _check_redis_and_worker()
    return {"database": _check_database(), "redis": redis_status, "worker": worker_status}

"""What /healthz reports: can we reach the database and Redis, and is a worker alive?

The worker's liveness is a heartbeat that the worker writes into Redis (on start and then on
every beat tick), so a fresh value proves that beat schedules, Redis carries and a worker runs.
"""

import json
import socket
import time

import redis
from django.conf import settings
from django.db import connection

HEARTBEAT_KEY = "backcare:worker-heartbeat"


_pools: dict[tuple[str, float], redis.ConnectionPool] = {}


def redis_client(*, timeout: float = 1.0) -> redis.Redis:
    """A client on this process's pool for the URL and timeout: the connection is reused, so
    counting a product view costs one round trip, not a new connection (redis-py starts a new
    pool after a fork by itself)."""
    key = (settings.REDIS_URL, timeout)
    if key not in _pools:
        _pools[key] = redis.ConnectionPool.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
    return redis.Redis(connection_pool=_pools[key])


def heartbeat_record(*, client: redis.Redis | None = None) -> None:
    """Write "a worker was alive now" into Redis; it expires on its own when no longer true."""
    client = client or redis_client()
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
    try:
        client = redis_client()
        client.ping()
        raw = client.get(HEARTBEAT_KEY)
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

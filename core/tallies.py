"""Counts kept in Redis until a beat task adds them to the database, so that reading a page
never writes to the database: product views and basket additions (shop/analytics.py), what
each article leads to (core/funnel.py).

A `Tally` is one Redis hash of field -> count not yet in the database. Counts made on a
request gather in the process and go to Redis together at most every ANALYTICS_PUSH_SECONDS,
in one round trip (a round trip per count was most of the time a page served from the page
cache took): by the next count after that time, or by a timer thread that long after the
first count waiting, so a quiet site's counts still arrive (the browser journey's did not,
before the timer: the last step of a visit could wait in a process for the next visitor). A
process killed outright loses at most that long of counts; one that exits normally pushes
them first. When Redis does not answer, the push raises RedisError within
REDIS_TIMEOUT and the counts are kept for the next push, which waits while Redis rests
(core.health.redis_resting): counting never costs a visitor their page.
"""

import atexit
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from redis.exceptions import RedisError

from core.health import redis_answered, redis_client, redis_failed, redis_resting

logger = logging.getLogger(__name__)
_tallies: list["Tally"] = []


class Tally:
    def __init__(self, key: str):
        self.key = key
        self.pending: Counter = Counter()  # counted in this process, not yet in Redis
        self._pushed_at = time.monotonic()
        self._lock = threading.Lock()  # the timer's push and the requests' counts
        self._timer: threading.Timer | None = None
        _tallies.append(self)

    def add(self, field: str | int, n: int = 1) -> None:
        """`n` more for `field`, pushed with the others when ANALYTICS_PUSH_SECONDS have
        passed since the last push (raises RedisError then if Redis does not answer), or by
        the timer that long from now."""
        with self._lock:
            self.pending[field] += n
        if time.monotonic() - self._pushed_at >= settings.ANALYTICS_PUSH_SECONDS:
            self.push()
        elif self._timer is None:
            self._timer = threading.Timer(settings.ANALYTICS_PUSH_SECONDS, self._push_later)
            self._timer.daemon = True
            self._timer.start()

    def _push_later(self) -> None:
        self._timer = None
        try:
            self.push()
        except RedisError:
            logger.info("Redis unavailable: %s counts kept for a later push", self.key)

    def push(self) -> None:
        self._pushed_at = time.monotonic()
        client = redis_client(timeout=settings.REDIS_TIMEOUT)
        if redis_resting(client.connection_pool):
            return
        with self._lock:
            pending = dict(self.pending)
            self.pending.clear()
        if not pending:
            return
        pipe = client.pipeline(transaction=False)
        for field, n in pending.items():
            pipe.hincrby(self.key, field, n)
        try:
            pipe.execute()
        except RedisError:
            # Kept, though a Redis that took the counts and then stopped answering adds them
            # once it answers again: counted twice then (analytics, not money).
            with self._lock:
                self.pending.update(pending)
            redis_failed(client.connection_pool)
            raise
        redis_answered(client.connection_pool)

    def add_now(self, field: str | int) -> None:
        """One more for `field`, in Redis at once (raises RedisError like `add`, and at once
        while Redis rests: that one is not counted). For counts rare enough to afford it."""
        client = redis_client(timeout=settings.REDIS_TIMEOUT)
        if redis_resting(client.connection_pool):
            raise RedisError("not asked: Redis failed to answer a moment ago")
        try:
            client.hincrby(self.key, field, 1)
        except RedisError:
            redis_failed(client.connection_pool)
            raise
        redis_answered(client.connection_pool)

    def drain(self, record: Callable[[dict[str, int]], int]) -> int:
        """Give the counts in Redis to `record(counts) -> how many it kept`, which writes them
        to the database, then take them off Redis: counts made meanwhile wait for the next
        drain (a crash between the two would count them twice: analytics, not money). For
        beat tasks, where nobody waits: a slow Redis gets a few seconds."""
        client = redis_client(timeout=5)
        counts = {field.decode(): int(n) for field, n in client.hgetall(self.key).items() if int(n)}
        if not counts:
            return 0
        kept = record(counts)
        pipe = client.pipeline(transaction=False)
        for field, n in counts.items():
            pipe.hincrby(self.key, field, -n)
        pipe.execute()
        return kept


def forget_pending() -> None:
    """Drop what this process has not pushed yet (tests: none left over from an earlier one)."""
    for tally in _tallies:
        with tally._lock:
            tally.pending.clear()


@atexit.register
def _push_before_exit() -> None:
    for tally in _tallies:
        with contextlib.suppress(RedisError):  # Redis is gone too: nothing left to tell
            tally.push()

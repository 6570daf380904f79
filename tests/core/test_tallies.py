"""Counts batched in the process reach Redis within ANALYTICS_PUSH_SECONDS even when no
later count comes to carry them (core/tallies.py): a quiet site's last visit is counted."""

from core.tallies import Tally
from tests.waiting import wait_for


def test_a_count_left_waiting_is_pushed_by_the_timer(settings, redis_conn):
    settings.ANALYTICS_PUSH_SECONDS = 0.3
    tally = Tally("backcare:test-tally")
    redis_conn.delete(tally.key)
    try:
        tally.push()  # just pushed: the next counts wait in the process
        tally.add("a")
        tally.add("a")
        assert redis_conn.hget(tally.key, "a") is None

        # no further count comes; the timer carries these two to Redis
        wait_for(lambda: redis_conn.hget(tally.key, "a") == b"2", timeout=5)
        assert not tally.pending
    finally:
        redis_conn.delete(tally.key)

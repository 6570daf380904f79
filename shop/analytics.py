"""Product page views and basket additions, counted in Redis on the request and added to
Oscar's ProductRecord by a beat task, so that reading a product page never writes to the
database and adding to the basket writes only the basket (shop/apps/analytics/receivers.py
says why)."""

import atexit
import contextlib
import time
from collections import Counter

from django.conf import settings
from django.db.models import F
from oscar.core.loading import get_model
from redis.exceptions import RedisError

from core.health import redis_answered, redis_client, redis_failed, redis_resting

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")

PRODUCT_VIEWS_KEY = "backcare:product-views"  # hash: product id -> views not yet flushed
BASKET_ADDITIONS_KEY = "backcare:basket-additions"  # hash: product id -> additions
# Each Redis hash and the ProductRecord field its counts are added to.
COUNTERS = {PRODUCT_VIEWS_KEY: "num_views", BASKET_ADDITIONS_KEY: "num_basket_additions"}


_views: Counter = Counter()  # views in this process not yet in Redis
_views_pushed_at = time.monotonic()


def product_view_count(product_id: int) -> None:
    """One view more. Views gather in the process and go to Redis together at most every
    ANALYTICS_PUSH_SECONDS, in one round trip: a round trip per view was most of the time a
    product page served from the page cache took. A process killed outright loses at most
    that long of views; one that exits normally pushes them first. Raises RedisError (within
    REDIS_TIMEOUT) when Redis does not answer; the views are kept for the next push, which
    waits while Redis rests (core.health.redis_resting)."""
    _views[product_id] += 1
    if time.monotonic() - _views_pushed_at >= settings.ANALYTICS_PUSH_SECONDS:
        product_views_push()


def product_views_push() -> None:
    global _views_pushed_at
    _views_pushed_at = time.monotonic()
    pending = dict(_views)
    client = redis_client(timeout=settings.REDIS_TIMEOUT)
    if not pending or redis_resting(client.connection_pool):
        return
    _views.clear()
    pipe = client.pipeline(transaction=False)
    for product_id, views in pending.items():
        pipe.hincrby(PRODUCT_VIEWS_KEY, product_id, views)
    try:
        pipe.execute()
    except RedisError:
        # Kept, though a Redis that took the counts and then stopped answering adds them
        # once it answers again: counted twice then (analytics, not money).
        _views.update(pending)
        redis_failed(client.connection_pool)
        raise
    redis_answered(client.connection_pool)


@atexit.register
def _push_before_exit() -> None:
    with contextlib.suppress(RedisError):  # Redis is gone too: nothing left to tell
        product_views_push()


def basket_addition_count(product_id: int) -> None:
    """One basket addition more, in Redis (raises RedisError like product_view_count, and at
    once while Redis rests: that addition is not counted)."""
    client = redis_client(timeout=settings.REDIS_TIMEOUT)
    if redis_resting(client.connection_pool):
        raise RedisError("not asked: Redis failed to answer a moment ago")
    try:
        client.hincrby(BASKET_ADDITIONS_KEY, product_id, 1)
    except RedisError:
        redis_failed(client.connection_pool)
        raise
    redis_answered(client.connection_pool)


def product_views_flush() -> int:
    """Add the views and basket additions counted in Redis to each product's ProductRecord;
    returns how many. Each count is taken off Redis only once the database has it, so counts
    made meanwhile wait for the next flush (a crash between the two would count them twice:
    this is analytics, not money). Counts of products deleted since are dropped."""
    client = redis_client(timeout=5)
    flushed = 0
    for key, field in COUNTERS.items():
        counts = {int(pk): int(n) for pk, n in client.hgetall(key).items() if int(n)}
        existing = set(Product.objects.filter(pk__in=counts).values_list("pk", flat=True))
        for product_id, count in counts.items():
            if product_id in existing:
                ProductRecord.objects.get_or_create(product_id=product_id)
                ProductRecord.objects.filter(product_id=product_id).update(
                    **{field: F(field) + count}
                )
                flushed += count
            client.hincrby(key, product_id, -count)
    return flushed

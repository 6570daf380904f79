"""Product page views and basket additions, counted in Redis on the request and added to
Oscar's ProductRecord by a beat task, so that reading a product page never writes to the
database and adding to the basket writes only the basket (shop/apps/analytics/receivers.py
says why)."""

from functools import partial

from django.db.models import F
from oscar.core.loading import get_model

from core.tallies import Tally

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")

PRODUCT_VIEWS_KEY = "backcare:product-views"  # hash: product id -> views not yet flushed
BASKET_ADDITIONS_KEY = "backcare:basket-additions"  # hash: product id -> additions
views = Tally(PRODUCT_VIEWS_KEY)
basket_additions = Tally(BASKET_ADDITIONS_KEY)
# Each tally and the ProductRecord field its counts are added to.
COUNTERS = {views: "num_views", basket_additions: "num_basket_additions"}


def product_view_count(product_id: int) -> None:
    """One view more, pushed to Redis with the others (core/tallies.py: raises RedisError
    within REDIS_TIMEOUT when Redis does not answer; the views are kept for the next push)."""
    views.add(product_id)


def product_views_push() -> None:
    views.push()


def basket_addition_count(product_id: int) -> None:
    """One basket addition more, in Redis at once (raises RedisError like product_view_count,
    and at once while Redis rests: that addition is not counted)."""
    basket_additions.add_now(product_id)


def product_views_flush() -> int:
    """Add the views and basket additions counted in Redis to each product's ProductRecord;
    returns how many. Counts of products deleted since are dropped."""
    return sum(tally.drain(partial(_record, field)) for tally, field in COUNTERS.items())


def _record(field: str, counts: dict[str, int]) -> int:
    counts = {int(pk): n for pk, n in counts.items()}
    existing = Product.objects.filter(pk__in=counts).values_list("pk", flat=True)
    for product_id in existing:
        ProductRecord.objects.get_or_create(product_id=product_id)
        ProductRecord.objects.filter(product_id=product_id).update(
            **{field: F(field) + counts[product_id]}
        )
    return sum(counts[product_id] for product_id in existing)

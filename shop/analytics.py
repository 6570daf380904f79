"""Product page views, counted in Redis on the request and added to Oscar's ProductRecord by
a beat task, so that reading a product page never writes to the database
(shop/apps/analytics/receivers.py says why)."""

from django.db.models import F
from oscar.core.loading import get_model

from core.health import redis_client

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")

PRODUCT_VIEWS_KEY = "backcare:product-views"  # hash: product id -> views not yet flushed


def product_view_count(product_id: int) -> None:
    """One view more, in Redis (raises RedisError when Redis is unreachable, within 0.2 s)."""
    redis_client(timeout=0.2).hincrby(PRODUCT_VIEWS_KEY, product_id, 1)


def product_views_flush() -> int:
    """Add the views counted in Redis to each product's ProductRecord; returns how many.
    Each count is taken off Redis only once the database has it, so views counted meanwhile
    wait for the next flush (a crash between the two would count those views twice: this is
    analytics, not money). Views of products deleted since are dropped."""
    client = redis_client(timeout=5)
    counts = {int(pk): int(n) for pk, n in client.hgetall(PRODUCT_VIEWS_KEY).items() if int(n)}
    existing = set(Product.objects.filter(pk__in=counts).values_list("pk", flat=True))
    for product_id, views in counts.items():
        if product_id in existing:
            ProductRecord.objects.get_or_create(product_id=product_id)
            ProductRecord.objects.filter(product_id=product_id).update(
                num_views=F("num_views") + views
            )
        client.hincrby(PRODUCT_VIEWS_KEY, product_id, -views)
    return sum(views for product_id, views in counts.items() if product_id in existing)

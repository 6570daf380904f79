"""Oscar's analytics receivers, except for product views and basket additions.

Oscar counts a view by UPDATE-ing the product's ProductRecord inside the request: every
product page is then a write, which under load serialises the requests on that one row and,
on SQLite, fails some with "database is locked". Here a view is one Redis HINCRBY instead
(no database write on a read page, `shop/analytics.py`), and `shop.tasks.flush_product_views`
(beat, every minute) adds the counts to ProductRecord.num_views. If Redis is down or does not
answer, views wait in the process for a later push and a basket addition is not counted:
analytics never costs a customer their page, nor more than REDIS_TIMEOUT of it, once per
process while Redis rests (core/health.py). Views by signed-in customers still get Oscar's
per-user records (their own history, rare next to anonymous views). Basket additions are
counted the same way: Oscar's UPDATE made every add to basket wait on the product's row.

A product view and a placed order are also steps of the visit's trail (core/funnel.py): what
the article the visit began with led to.
"""

import logging

from oscar.apps.analytics import receivers as oscar_receivers
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.checkout.signals import post_checkout
from oscar.core.loading import get_model
from redis.exceptions import RedisError

from core import funnel
from shop.analytics import basket_addition_count, product_view_count

UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")

logger = logging.getLogger(__name__)

product_viewed.disconnect(oscar_receivers.receive_product_view)
basket_addition.disconnect(oscar_receivers.receive_basket_addition)


def view_count(product_id: int, request=None) -> None:
    """Also called for product pages served from the page cache (core/pagecache.py)."""
    funnel.step(request, "product")
    try:
        product_view_count(product_id)
    except RedisError:
        logger.info("Redis unavailable: views (product %s) kept for a later push", product_id)


def receive_product_view(sender, product, user, request=None, **kwargs):
    if kwargs.get("raw", False):
        return
    view_count(product.pk, request)
    if request is not None:  # a cached copy of the page counts views of this product
        request.page_cache_context = {"product_id": product.pk}
    if user and user.is_authenticated:
        oscar_receivers._update_counter(UserRecord, "num_product_views", {"user": user})
        UserProductView.objects.create(product=product, user=user)


product_viewed.connect(receive_product_view, dispatch_uid="backcare-product-view")


def receive_basket_addition(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    try:
        basket_addition_count(product.pk)
    except RedisError:
        logger.info("Redis unavailable: an addition of product %s was not counted", product.pk)
    if user and user.is_authenticated:
        oscar_receivers._update_counter(UserRecord, "num_basket_additions", {"user": user})


basket_addition.connect(receive_basket_addition, dispatch_uid="backcare-basket-addition")


def receive_order(sender, order, user, request=None, **kwargs):
    funnel.step(request, "order")


post_checkout.connect(receive_order, dispatch_uid="backcare-order-funnel")

"""The shop's part of the page cache (core/pagecache.py is the mechanism): which shop pages
(and the merchant feed) are cached, the two spots cut from every cached page that differ per
visitor (the mini-basket, the recently viewed products), and what a product page served from
the cache still does (count the view, add it to the visitor's history). Registered by
ShopConfig.ready."""

import hashlib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.db import connection
from django.db.models import Min
from django.template.loader import render_to_string
from oscar.core.loading import get_model

from core import clock, pagecache, pagecache_triggers
from core.pagecache import HOLE_END, HOLE_START, current_generation, pages_cache

CACHED_VIEWS = (
    "catalogue:index",
    "catalogue:category",
    "catalogue:detail",
    "search:search",
    "merchant-feed",  # /feeds/products.xml (shop/feeds.py), kept whole
)
_blank_holes: dict[str, str] = {}


def _mini_basket(request, entry) -> str:
    if settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES:
        return _own_mini_basket(request)
    if "mini_basket" not in _blank_holes:  # the empty basket's is the same for everyone
        _blank_holes["mini_basket"] = render_to_string(
            "oscar/partials/mini_basket.html", request=request
        )
    return _blank_holes["mini_basket"]


def _own_mini_basket(request) -> str:
    """A shopper's mini-basket, rendered once per state of their basket: loading a basket and
    applying the offers to it is most of the time a page takes (about 10 queries). The state
    is read in one query from the basket's own rows (lines: how many, their quantities, the
    latest change; vouchers) and the page generation, which also follows prices, stock and
    offers; it is kept no longer than until the next offer starts or ends."""
    render = partial(render_to_string, "oscar/partials/mini_basket.html", request=request)
    try:
        basket_id = Signer().unsign(request.COOKIES[settings.OSCAR_BASKET_COOKIE_OPEN])
    except BadSignature:
        return render()  # Oscar's middleware forgets the cookie
    state = _basket_state(basket_id)
    generation = current_generation(request)
    if state is None or generation is None:
        return render()
    key = "minibasket:" + hashlib.blake2b(repr((generation, state)).encode()).hexdigest()
    html = pages_cache().get(key)
    if html is None:
        html = render()
        if (timeout := _offers_unchanged_for()) > 0:
            pages_cache().set(key, html, timeout)
    return html


def _basket_state(basket_id) -> tuple | None:
    with connection.cursor() as cursor:
        open_ = get_model("basket", "Basket").OPEN
        cursor.execute(_BASKET_STATE, [basket_id, open_])
        row = cursor.fetchone()
    return (basket_id, *row) if row else None


_BASKET_STATE = """
SELECT (SELECT COUNT(*) FROM basket_line WHERE basket_id = b.id),
       (SELECT SUM(quantity) FROM basket_line WHERE basket_id = b.id),
       (SELECT MAX(date_updated) FROM basket_line WHERE basket_id = b.id),
       (SELECT MAX(id) FROM basket_line WHERE basket_id = b.id),
       (SELECT COUNT(*) FROM basket_basket_vouchers WHERE basket_id = b.id)
FROM basket_basket b WHERE b.id = %s AND b.owner_id IS NULL AND b.status = %s
"""


def _offers_unchanged_for() -> int:
    """Seconds until an offer starts or ends (its time passing changes basket totals, and no
    row changes), at most PAGE_CACHE_SECONDS."""
    offers = get_model("offer", "ConditionalOffer").objects
    now = clock.now()
    moments = [
        offers.filter(start_datetime__gt=now).aggregate(Min("start_datetime"))[
            "start_datetime__min"
        ],
        offers.filter(end_datetime__gt=now).aggregate(Min("end_datetime"))["end_datetime__min"],
    ]
    seconds = settings.PAGE_CACHE_SECONDS
    for moment in filter(None, moments):
        seconds = min(seconds, int((moment - now) / timedelta(seconds=1)))
    return seconds


def _recently_viewed(request, entry) -> str:
    from oscar.templatetags.history_tags import recently_viewed_products

    if settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME not in request.COOKIES:
        if "recently_viewed" not in _blank_holes:
            _blank_holes["recently_viewed"] = _recently_viewed_html({"products": []})
        return _blank_holes["recently_viewed"]
    product_id = entry["context"].get("product_id")
    current = _product_stub(product_id) if product_id else None
    return _recently_viewed_html(
        recently_viewed_products({"request": request}, current_product=current)
    )


def _recently_viewed_html(context) -> str:
    """The template's own hole markers taken off (the stored page keeps its)."""
    html = render_to_string("oscar/customer/history/recently_viewed_products.html", context)
    start, end = HOLE_START.format("recently_viewed"), HOLE_END
    return html.rstrip("\n").removeprefix(start).removesuffix(end)


def _product_stub(product_id):
    return get_model("catalogue", "Product")(pk=product_id)


def _product_viewed_again(request, response, entry) -> None:
    """What a product page view does besides rendering (shop/apps/analytics/receivers.py,
    Oscar's history receiver): count the view, add the product to the visitor's history."""
    product_id = entry["context"].get("product_id")
    if not product_id:
        return
    from oscar.apps.customer.history import CustomerHistoryManager

    from shop.apps.analytics.receivers import view_count

    view_count(product_id, request)
    CustomerHistoryManager.update(_product_stub(product_id), request, response)


def register() -> None:
    # What the shop's pages show; offer and voucher: shoppers' mini-baskets are cached under
    # the page generation too.
    pagecache_triggers.watch_apps("catalogue", "partner", "reviews", "offer", "voucher")
    pagecache.cache_views(*CACHED_VIEWS)
    pagecache.register_hole("mini_basket", _mini_basket)
    pagecache.register_hole("recently_viewed", _recently_viewed)
    pagecache.on_hit(_product_viewed_again)

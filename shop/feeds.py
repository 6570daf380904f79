"""The product feed for Google Merchant Center, /feeds/products.xml.

RSS 2.0 with Google's namespace (g:), one item per thing a customer can buy: each size and
colour of a product with variants (grouped by g:item_group_id, the parent's UPC), and each
product without variants. Prices, stock, delivery and identifiers come from the same offers
and rules as the product pages' schema.org data (shop/selectors.py, shop/structured_data.py).

Built from the database in one pass in a fixed number of queries, whatever the size of the
catalogue, and kept in the page cache (core/pagecache.py) under the page generation, as the
public pages are: a price or stock change shows in the next fetch. Links are absolute on
SITE_URL, the address Merchant Center knows the shop by. Django's feed writer escapes what
product text holds; characters XML 1.0 cannot carry at all (control characters) are dropped.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed

from shop.selectors import catalogue_offers
from shop.structured_data import (
    BRAND,
    COUNTRY,
    delivery_methods,
    group_id,
    identifiers,
    money,
    plain_text,
)

GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0"
# Merchant Center's limits on text fields (characters).
TITLE_LIMIT, DESCRIPTION_LIMIT = 150, 5000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class MerchantFeed(Rss201rev2Feed):
    """RSS 2.0 whose items are Google's product attributes: each item carries its fields as
    `fields`, (name, text) pairs in order, a text being a list of pairs for a nested field
    (g:shipping)."""

    def rss_attributes(self):
        return {"version": self._version, "xmlns:g": GOOGLE_NAMESPACE}

    def add_item_elements(self, handler, item):
        _write(handler, item["fields"])


def _write(handler, fields) -> None:
    for name, value in fields:
        if isinstance(value, list):
            handler.startElement(f"g:{name}", {})
            _write(handler, value)
            handler.endElement(f"g:{name}")
        else:
            handler.addQuickElement(f"g:{name}", _NOT_XML.sub("", value))


def merchant_feed(request):
    """Every public product and variant the shop sells, for Merchant Center to fetch."""
    feed = MerchantFeed(
        title=settings.OSCAR_SHOP_NAME,
        link=settings.SITE_URL + "/",
        description=f"{settings.OSCAR_SHOP_NAME}: {settings.OSCAR_SHOP_TAGLINE}",
        language="en-AU",
    )
    for offer in catalogue_offers(request.strategy):
        # RSS's own title, link and description are written as Google's g: fields.
        feed.add_item(title="", link="", description="", fields=item_fields(offer))
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def item_fields(offer) -> list:
    """Google's product attributes of one offer, in the order the feed shows them."""
    fields = [("id", offer.sku)]
    if offer.group is not None:
        fields.append(("item_group_id", group_id(offer.group)))
    fields += [
        ("title", offer.title[:TITLE_LIMIT]),
        ("description", plain_text(offer.description)[:DESCRIPTION_LIMIT] or offer.title),
        ("link", settings.SITE_URL + offer.product.get_absolute_url()),
    ]
    if offer.image is not None:
        fields.append(("image_link", settings.SITE_URL + offer.image.original.url))
    fields += [
        ("condition", "new"),
        ("availability", "in_stock" if offer.available else "out_of_stock"),
        ("price", f"{money(offer.price)} {offer.currency}"),
    ]
    fields += [
        (name, value) for name, value in (("size", offer.size), ("color", offer.colour)) if value
    ]
    fields.append(("brand", BRAND))
    fields += list(identifiers(offer).items())
    for delivery in delivery_methods():
        charge = delivery.charge_for_goods(offer.price)
        shipping = [
            ("country", COUNTRY),
            ("service", delivery.name),
            ("price", f"{money(charge)} {offer.currency}"),
            ("min_transit_time", str(delivery.transit_days[0])),
            ("max_transit_time", str(delivery.transit_days[1])),
        ]
        fields.append(("shipping", shipping))
    return fields

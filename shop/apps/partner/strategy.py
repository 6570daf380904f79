"""Pricing and availability for Australian customers: AUD, shelf prices that include GST.

Oscar's own FixedRateTax adds tax on top of a GST-exclusive price (the UK model); we store the
GST-inclusive price and take the GST out of it (shop/gst.py), so what the shopper sees on the
shelf is exactly what they pay.
"""

from django.utils.functional import cached_property
from oscar.apps.partner import strategy
from oscar.core.loading import get_class

from shop.gst import split_gst

UnavailablePrice = get_class("partner.prices", "Unavailable")
TaxInclusiveFixedPrice = get_class("partner.prices", "TaxInclusiveFixedPrice")
FixedPrice = get_class("partner.prices", "FixedPrice")


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return AustralianRetail(request)


class GSTInclusivePrice:
    """Pricing policy mixin: the stock record's price is the GST-inclusive shelf price."""

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return UnavailablePrice()
        excl_gst, gst = split_gst(stockrecord.price)
        return TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl_gst, tax=gst
        )

    def parent_pricing_policy(self, product, children_stock):
        # A parent is not bought itself; it shows the "from" price: its cheapest variant.
        stockrecords = [record for _, record in children_stock if record and record.price]
        if not stockrecords:
            return UnavailablePrice()
        cheapest = min(stockrecords, key=lambda record: record.price)
        excl_gst, gst = split_gst(cheapest.price)
        return FixedPrice(currency=cheapest.price_currency, excl_tax=excl_gst, tax=gst)


class AustralianRetail(
    strategy.UseFirstStockRecord,
    strategy.StockRequired,
    GSTInclusivePrice,
    strategy.Structured,
):
    """One partner (Bauerfeind Australia), stock required to buy, GST-inclusive AUD prices.

    Oscar's basket middleware makes a strategy for every request, and Oscar's strategy reads
    the signed-in user when it is made, which loads the session's user; ours reads it when
    first asked, so a page served from the page cache (core/pagecache.py) never does."""

    def __init__(self, request=None):
        self.request = request

    def fetch_for_line(self, line, stockrecord=None):
        """Priced from the line's own stock record, which the basket loads with its lines
        (Oscar's looks the product's stock records up again, a query per line)."""
        return self.fetch_for_product(line.product, stockrecord or line.stockrecord)

    @cached_property
    def user(self):
        request = self.request
        return request.user if request is not None and request.user.is_authenticated else None

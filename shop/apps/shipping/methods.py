"""Delivery in Australia, charged GST-inclusive like everything else in the shop."""

from decimal import Decimal

from django.conf import settings
from oscar.apps.shipping import methods
from oscar.core import prices

from shop.gst import split_gst


class GSTInclusiveCharge(methods.Base):
    """A delivery charge set GST-inclusive (in settings); its GST is worked out as for goods."""

    charge_setting = ""
    transit_days = (0, 0)  # business days from dispatch to the door: fewest, most

    def charge_for_goods(self, goods_incl_gst: Decimal) -> Decimal:
        """The charge for delivering goods worth this much (GST included): what a basket pays,
        and what product pages and the merchant feed say one item costs to deliver."""
        return getattr(settings, self.charge_setting)

    def charge_for(self, basket) -> Decimal:
        return self.charge_for_goods(basket.total_incl_tax)

    def calculate(self, basket):
        excl_gst, gst = split_gst(self.charge_for(basket))
        return prices.Price(currency=basket.currency, excl_tax=excl_gst, tax=gst)


class Standard(GSTInclusiveCharge):
    code = "standard"
    name = "Standard delivery"
    transit_days = (2, 6)
    description = f"Australia Post parcel, {transit_days[0]} to {transit_days[1]} business days."
    charge_setting = "SHIPPING_STANDARD_CHARGE"

    def charge_for_goods(self, goods_incl_gst: Decimal) -> Decimal:
        # Free once the goods (after discounts, GST included) reach the threshold.
        if goods_incl_gst >= settings.SHIPPING_FREE_THRESHOLD:
            return Decimal("0.00")
        return super().charge_for_goods(goods_incl_gst)


class Express(GSTInclusiveCharge):
    code = "express"
    name = "Express delivery"
    transit_days = (1, 3)
    description = (
        f"Australia Post Express, {transit_days[0]} to {transit_days[1]} business days "
        "to most addresses."
    )
    charge_setting = "SHIPPING_EXPRESS_CHARGE"

"""Delivery in Australia, charged GST-inclusive like everything else in the shop."""

from decimal import Decimal

from django.conf import settings
from oscar.apps.shipping import methods
from oscar.core import prices

from shop.gst import split_gst


class GSTInclusiveCharge(methods.Base):
    """A delivery charge set GST-inclusive (in settings); its GST is worked out as for goods."""

    charge_setting = ""

    def charge_for(self, basket) -> Decimal:
        return getattr(settings, self.charge_setting)

    def calculate(self, basket):
        excl_gst, gst = split_gst(self.charge_for(basket))
        return prices.Price(currency=basket.currency, excl_tax=excl_gst, tax=gst)


class Standard(GSTInclusiveCharge):
    code = "standard"
    name = "Standard delivery"
    description = "Australia Post parcel, 2 to 6 business days."
    charge_setting = "SHIPPING_STANDARD_CHARGE"

    def charge_for(self, basket) -> Decimal:
        # Free once the goods (after discounts, GST included) reach the threshold.
        if basket.total_incl_tax >= settings.SHIPPING_FREE_THRESHOLD:
            return Decimal("0.00")
        return super().charge_for(basket)


class Express(GSTInclusiveCharge):
    code = "express"
    name = "Express delivery"
    description = "Australia Post Express, 1 to 3 business days to most addresses."
    charge_setting = "SHIPPING_EXPRESS_CHARGE"

from django.conf import settings
from oscar.apps.order import utils
from oscar.apps.order.exceptions import UnableToPlaceOrder

from shop.stock import stock_hold


class OrderCreator(utils.OrderCreator):
    def update_stock_records(self, line):
        """Take the stock for a line only if it is still there (shop/stock.py): of two
        customers who both saw the last unit in their basket, one gets it, and the other's
        whole order rolls back with a message that says why."""
        record = line.stockrecord
        if not record.can_track_allocations:
            return
        if not stock_hold(record.pk, line.quantity):
            record.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            raise UnableToPlaceOrder(sold_out_message(line.product, record.net_stock_level))
        record.refresh_from_db(fields=["num_allocated"])


def sold_out_message(product, left: int) -> str:
    title = product.get_title()
    if left > 0:
        what = f"Only {left} of “{title}” {'is' if left == 1 else 'are'} left"
    else:
        what = f"Sorry, “{title}” has just sold out"
    return (
        f"{what}, so we have not placed your order and nothing has been charged. "
        f"Please change your basket, or call us on {settings.SHOP_PHONE} and we'll help."
    )

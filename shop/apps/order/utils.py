from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from oscar.apps.order import utils
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")


class OrderCreator(utils.OrderCreator):
    def update_stock_records(self, line):
        """Take the stock for a line only if it is still there.

        Oscar adds to `num_allocated` unconditionally, so two customers who both saw the last
        unit in their basket both get it. Here the allocation is one conditional UPDATE: the
        database (PostgreSQL re-checks the condition once it holds the row lock; SQLite has a
        single writer) lets exactly one of them through, and the other's whole order rolls back
        with a message that says why."""
        record = line.stockrecord
        if not record.can_track_allocations:
            return
        allocated = Coalesce(F("num_allocated"), 0)
        taken = StockRecord.objects.filter(
            pk=record.pk, num_in_stock__gte=allocated + line.quantity
        ).update(num_allocated=allocated + line.quantity)
        if not taken:
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

"""Holding and releasing units of stock, the one way every part of the shop does it.

Oscar adds to `num_allocated` unconditionally, so two customers who both saw the last unit
would both get it. `stock_hold` is one conditional UPDATE: the database (PostgreSQL
re-checks the condition once it holds the row lock; SQLite has a single writer) lets exactly
one of them through. Placing an order (shop/apps/order/utils.py) and asking for an exchange
(shop/returns.py) both hold stock this way."""

from django.db.models import F
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")


def stock_hold(record_id: int, quantity: int) -> bool:
    """Allocate `quantity` units if they are free (in stock, not allocated); False if not."""
    allocated = Coalesce(F("num_allocated"), 0)
    return bool(
        StockRecord.objects.filter(pk=record_id, num_in_stock__gte=allocated + quantity).update(
            num_allocated=allocated + quantity
        )
    )


def stock_release(record_id: int, quantity: int) -> None:
    """Give back units held and not sent (an exchange refused)."""
    StockRecord.objects.filter(pk=record_id).update(
        num_allocated=Coalesce(F("num_allocated"), 0) - quantity
    )


def stock_send(record_id: int, quantity: int) -> None:
    """Units held leave the warehouse (an exchange's replacement is sent)."""
    StockRecord.objects.filter(pk=record_id).update(
        num_allocated=Coalesce(F("num_allocated"), 0) - quantity,
        num_in_stock=F("num_in_stock") - quantity,
    )


def stock_restock(record_id: int, quantity: int) -> None:
    """Units come back to the shelf (a returned support that can be sold again)."""
    StockRecord.objects.filter(pk=record_id).update(num_in_stock=F("num_in_stock") + quantity)

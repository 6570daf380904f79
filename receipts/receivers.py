"""An order becomes paid (staff mark a bank transfer paid in the dashboard; Stripe's webhook,
shop.services.order_payment_received): its tax invoice is issued in the same transaction."""

from oscar.apps.order.signals import order_status_changed

from receipts.services import invoice_issue
from shop.payment import PAID


def _order_paid(sender, order, old_status, new_status, **kwargs):
    if new_status == PAID:
        invoice_issue(order_id=order.pk)


def connect() -> None:
    order_status_changed.connect(_order_paid, dispatch_uid="receipts-invoice-when-paid")

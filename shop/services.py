"""Business steps of the shop that views and Celery tasks share."""

import logging

from django.db import transaction
from oscar.core.loading import get_class, get_model

from shop.payment import BANK_TRANSFER, bank_transfer_instructions

Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

logger = logging.getLogger(__name__)

ORDER_PLACED = "ORDER_PLACED"


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail the customer their order confirmation, once.

    The order row is locked for the length of the send, and the "order placed" communication
    event (written by Oscar's dispatcher in the same transaction) is the record that it went:
    a second run, at the same time or later, finds it and sends nothing. Returns whether an
    e-mail was sent now."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if CommunicationEvent.objects.filter(order=order, event_type__code=ORDER_PLACED).exists():
            return False
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(
            order, order_message_context(order)
        )
    logger.info("Order %s: confirmation e-mail sent", order.number)
    return True


def order_message_context(order) -> dict:
    """What the order e-mails show beyond Oscar's defaults: GST and how to pay."""
    context = {"order": order, "lines": order.lines.all(), "gst": order.total_tax}
    sources = order.sources.select_related("source_type")
    if any(source.source_type.code == BANK_TRANSFER.code for source in sources):
        context["bank_transfer"] = bank_transfer_instructions(order)
    return context

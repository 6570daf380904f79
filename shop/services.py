"""Business steps of the shop that views and Celery tasks share."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from core.queue import SWEEP_GRACE_SECONDS, SWEEP_WINDOW, enqueue_last_try
from shop.payment import BANK_TRANSFER, CARD, PAID, PENDING_PAYMENT, bank_transfer_instructions

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")
CommunicationEvent = get_model("order", "CommunicationEvent")
OrderNote = get_model("order", "OrderNote")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

logger = logging.getLogger(__name__)

ORDER_PLACED = "ORDER_PLACED"


def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail the customer their order confirmation, once.

    The order row is locked for the length of the send, and the "order placed" communication
    event (written by Oscar's dispatcher in the same transaction) is the record that it went:
    a second run, at the same time or later, finds it and sends nothing. Returns whether an
    e-mail was sent now. A failure propagates (the task retries) and is recorded as an order
    note the dashboard's order page shows at its top until the e-mail goes."""
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            if CommunicationEvent.objects.filter(
                order=order, event_type__code=ORDER_PLACED
            ).exists():
                return False
            OrderDispatcher(logger=logger).send_order_placed_email_for_user(
                order, order_message_context(order)
            )
            _email_failure_resolved(order)
    except Exception as error:
        # Outside the rolled-back transaction, so the dashboard can show what went wrong.
        _email_failure_record(order_id, error)
        raise
    logger.info("Order %s: confirmation e-mail sent", order.number)
    return True


EMAIL_FAILURE = "The order confirmation e-mail could not be sent"


def _email_failure_record(order_id: int, error: Exception) -> None:
    """One error note per order, brought up to date at each failed try (not one per try)."""
    when = timezone.localtime().strftime("%d %b %Y %H:%M")
    message = (
        f"{EMAIL_FAILURE} (last try {when}: {type(error).__name__}). It is tried again "
        "every minute for a day after the order; if it still fails, check the mail server "
        "or contact the customer another way."
    )
    updated = OrderNote.objects.filter(
        order_id=order_id, note_type=OrderNote.ERROR, message__startswith=EMAIL_FAILURE
    ).update(message=message, date_updated=timezone.now())
    if not updated and Order.objects.filter(pk=order_id).exists():
        OrderNote.objects.create(order_id=order_id, note_type=OrderNote.ERROR, message=message)


def _email_failure_resolved(order) -> None:
    """The confirmation went after failing: the note stays in the order's history, no longer
    as an error."""
    when = timezone.localtime().strftime("%d %b %Y %H:%M")
    OrderNote.objects.filter(
        order=order, note_type=OrderNote.ERROR, message__startswith=EMAIL_FAILURE
    ).update(
        note_type=OrderNote.INFO,
        message=f"The order confirmation e-mail failed at first and was sent on {when}.",
        date_updated=timezone.now(),
    )


def order_confirmations_resend_owed(
    *, older_than_seconds: int = SWEEP_GRACE_SECONDS, now=None
) -> int:
    """Queue again the confirmation of every order placed more than the grace period ago
    that has no "order placed" communication event yet: its message was lost (Redis down at
    checkout, or flushed) or its retries are spent. Sending is once only (see above)."""
    from shop import tasks

    now = now or timezone.now()
    owed = Order.objects.filter(
        date_placed__range=(now - SWEEP_WINDOW, now - timedelta(seconds=older_than_seconds))
    ).exclude(communication_events__event_type__code=ORDER_PLACED)
    queued = sum(
        enqueue_last_try(tasks.send_order_confirmation, order_id)
        for order_id in owed.values_list("pk", flat=True)
    )
    if queued:
        logger.warning("Queued again %d order confirmations", queued)
    return queued


def order_message_context(order) -> dict:
    """What the order e-mails show beyond Oscar's defaults: GST and how to pay."""
    context = {
        "order": order,
        "lines": order.lines.all(),
        "gst": order.total_tax,
        "shop_phone": settings.SHOP_PHONE,
        "shop_phone_tel": settings.SHOP_PHONE_TEL,
    }
    codes = {source.source_type.code for source in order.sources.select_related("source_type")}
    if BANK_TRANSFER.code in codes:
        context["bank_transfer"] = bank_transfer_instructions(order)
    context["paid_by_card"] = CARD.code in codes
    return context


def order_payment_received(*, order_number: str, amount, currency: str, reference: str) -> bool:
    """Record that an order has been paid in full, once.

    Payment providers retry their notifications, sometimes many times and at the same moment;
    the conditional update from "Pending payment" to "Paid" lets exactly one of them through.
    An amount that is not the order's total is not accepted as payment of it. Returns whether
    this call marked the order paid."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            logger.warning("Payment for unknown order %s ignored", order_number)
            return False
        if (amount, currency.upper()) != (order.total_incl_tax, order.currency):
            logger.error(
                "Order %s: payment of %s %s does not match its total; left pending",
                order_number,
                amount,
                currency,
            )
            return False
        if not Order.objects.filter(pk=order.pk, status=PENDING_PAYMENT).update(status=PAID):
            return False
        source = order.sources.order_by("pk").first()
        if source is not None:
            source.debit(amount, reference=reference, status="Success")
        event_type, _ = PaymentEventType.objects.get_or_create(name=PAID)
        order.payment_events.create(event_type=event_type, amount=amount, reference=reference)
    logger.info("Order %s: paid", order_number)
    return True

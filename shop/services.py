"""Business steps of the shop that views and Celery tasks share."""

import logging

from django.conf import settings
from django.db import transaction
from oscar.apps.order.signals import order_status_changed
from oscar.core.loading import get_model

from shop.payment import (
    BANK_TRANSFER,
    PAID,
    PENDING_PAYMENT,
    STRIPE_METHODS,
    CardRefundFailed,
    bank_transfer_instructions,
    card_refund,
)

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")

logger = logging.getLogger(__name__)


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
    context["paid_by_card"] = bool(codes & STRIPE_METHODS.keys())
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
        order.status_changes.create(old_status=PENDING_PAYMENT, new_status=PAID)
        # What a status change sets off (the tax invoice), as Order.set_status sends it.
        order_status_changed.send(
            sender=order, order=order, old_status=PENDING_PAYMENT, new_status=PAID
        )
    logger.info("Order %s: paid", order_number)
    return True


def guest_orders_claim(*, user, email: str) -> int:
    """Attach the orders placed as a guest with `email` (any case) to `user`, so their order
    history shows them. Only for an address the account's holder has proven theirs
    (accounts.services): never an order of another account, never two accounts merged.
    Returns how many were attached."""
    if not email:
        return 0
    return Order.objects.filter(user__isnull=True, guest_email__iexact=email).update(user=user)


REFUNDED = "Refunded"  # the payment event an order's refund records


class RefundFailed(Exception):
    """The money could not be sent back (Stripe unreachable or refusing); nothing recorded."""


def order_refund_record(*, order, amount, reference: str, user) -> None:
    """Pay back `amount` of the order and record it (under `reference`, the credit note's
    number): an order paid through Stripe (card, Afterpay) is refunded through Stripe's
    refund API at once; a bank transfer is paid back by staff. Then a "Refunded" payment
    event, the refund on its payment source, and a note saying who did it. Raises
    RefundFailed when Stripe cannot refund it: the caller's transaction records nothing."""
    source = order.sources.select_related("source_type").order_by("pk").first()
    refund_id = "Recorded"
    if source is not None and source.source_type.code in STRIPE_METHODS:
        payment_intent = (
            source.transactions.filter(txn_type=source.transactions.model.DEBIT)
            .values_list("reference", flat=True)
            .first()
        )
        if not payment_intent:
            raise RefundFailed("Stripe has not reported this payment, so it cannot be refunded.")
        try:
            refund_id = card_refund(payment_intent=payment_intent, amount=amount, key=reference)
        except CardRefundFailed as error:
            logger.warning("Order %s: Stripe refund failed: %s", order.number, error)
            raise RefundFailed(
                "Stripe could not refund it just now, so nothing is recorded. Try again in a "
                "minute, or refund it in Stripe's dashboard."
            ) from error
    if source is not None:
        source.refund(amount, reference=reference, status=refund_id)
    event_type, _ = PaymentEventType.objects.get_or_create(name=REFUNDED)
    order.payment_events.create(event_type=event_type, amount=amount, reference=reference)
    order.notes.create(
        user=user,
        note_type=order.notes.model.SYSTEM,
        message=f"Refund of ${amount:,.2f} recorded with credit note {reference}.",
    )

"""How customers pay.

Bank transfer works with no keys at all: the order is placed as "Pending payment" and the
customer is told what to pay, where, and which reference to quote; staff mark it paid in the
dashboard when the money arrives.

Card payment goes through Stripe Checkout (Stripe's hosted page, so card numbers never touch
this site) and is offered only when STRIPE_SECRET_KEY is set. The order is placed as "Pending
payment" too; Stripe's signed webhook marks it paid (shop.services.order_payment_received).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    label: str
    description: str


BANK_TRANSFER = PaymentMethod(
    code="bank-transfer",
    label="Bank transfer (EFT)",
    description=(
        "Pay from your bank's app or website. We send your order as soon as the payment "
        "reaches us, usually within one or two business days."
    ),
)

CARD = PaymentMethod(
    code="card",
    label="Credit or debit card",
    description=(
        "Visa, Mastercard or American Express, on Stripe's secure payment page. You come "
        "straight back here when you have paid."
    ),
)

AFTERPAY = PaymentMethod(
    code="afterpay",
    label="Afterpay: four payments, interest-free",
    description=(
        "Pay a quarter now and the rest in three payments a fortnight apart, on Afterpay's "
        "page through Stripe. For orders from $1 to $2,000."
    ),
)
# Paid on Stripe's page: its webhook marks the order paid, and a refund goes back through it.
STRIPE_METHODS = {CARD.code: "card", AFTERPAY.code: "afterpay_clearpay"}

# Order statuses (Oscar's pipeline, settings.OSCAR_ORDER_STATUS_PIPELINE).
PENDING_PAYMENT = "Pending payment"
PAID = "Paid"


def payment_methods(total: Decimal | None = None) -> list[PaymentMethod]:
    """The ways to pay an order of `total` (GST included): bank transfer always; card and
    Afterpay with Stripe configured, Afterpay only inside its limits (AFTERPAY_LIMITS)."""
    if not settings.STRIPE_SECRET_KEY:
        return [BANK_TRANSFER]
    low, high = settings.AFTERPAY_LIMITS
    afterpay = [AFTERPAY] if total is None or low <= total <= high else []
    return [BANK_TRANSFER, CARD, *afterpay]


def payment_method(code: str | None, total: Decimal | None = None) -> PaymentMethod | None:
    return next((m for m in payment_methods(total) if m.code == code), None)


@dataclass(frozen=True)
class BankTransferInstructions:
    account_name: str
    bsb: str
    account_number: str
    reference: str
    amount: Decimal
    currency: str
    due_days: int


def bank_transfer_instructions(order) -> BankTransferInstructions:
    return BankTransferInstructions(
        account_name=settings.BANK_TRANSFER_ACCOUNT_NAME,
        bsb=settings.BANK_TRANSFER_BSB,
        account_number=settings.BANK_TRANSFER_ACCOUNT_NUMBER,
        reference=order.number,
        amount=order.total_incl_tax,
        currency=order.currency,
        due_days=settings.BANK_TRANSFER_DUE_DAYS,
    )


class CardPaymentUnavailable(Exception):
    """Stripe could not be reached or refused the request; no order has been placed."""


def stripe_client():
    # Imported here: Stripe's library is 20 MB of every web worker's memory, needed only by
    # the few requests that pay by card.
    import stripe

    # Stripe's library waits 80 s for an answer by default: a stalled Stripe would hold the
    # customer's page (and a web worker) that long, three times over with the retries.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        max_network_retries=2,
        http_client=stripe.new_default_http_client(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def card_checkout_start(
    *, order_number: str, total, success_url: str, cancel_url: str, method: str = "card"
):
    """Open a Stripe Checkout session for the order's total, paid by `method` (a code of
    STRIPE_METHODS); returns (session id, page url)."""
    import stripe

    try:
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "payment_method_types": [STRIPE_METHODS[method]],
                "client_reference_id": order_number,
                "metadata": {"order_number": order_number},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": total.currency.lower(),
                            "unit_amount": to_cents(total.incl_tax),
                            "product_data": {"name": f"Order {order_number}"},
                        },
                    }
                ],
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": f"checkout-{order_number}"},
        )
    except stripe.StripeError as error:
        raise CardPaymentUnavailable(str(error)) from error
    return session.id, session.url


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


class CardRefundFailed(Exception):
    """Stripe could not be reached or refused the refund; nothing was refunded."""


def card_refund(*, payment_intent: str, amount: Decimal, key: str) -> str:
    """Refund `amount` of a Stripe payment; returns Stripe's refund id. `key` (the credit
    note's number) makes a retry return the same refund, never a second one."""
    import stripe

    try:
        refund = stripe_client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": to_cents(amount)},
            options={"idempotency_key": f"refund-{key}"},
        )
    except stripe.StripeError as error:
        raise CardRefundFailed(str(error)) from error
    return refund.id

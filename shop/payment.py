"""How customers pay.

Bank transfer works with no keys at all: the order is placed as "Pending payment" and the
customer is told what to pay, where, and which reference to quote; staff mark it paid in the
dashboard when the money arrives. (Card payment through Stripe is planned: it will be offered
here only when STRIPE_SECRET_KEY is set.)
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

# Order statuses (Oscar's pipeline, settings.OSCAR_ORDER_STATUS_PIPELINE).
PENDING_PAYMENT = "Pending payment"
PAID = "Paid"


def payment_methods() -> list[PaymentMethod]:
    return [BANK_TRANSFER]


def payment_method(code: str | None) -> PaymentMethod | None:
    return next((m for m in payment_methods() if m.code == code), None)


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

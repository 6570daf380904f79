"""What a tax invoice shows, gathered as plain data for receipts/layout.py: the order, its
lines, delivery, discounts, GST, payment, and the health-fund part (who wears it, the item
category, the expert who recommended it, the enquiry before it)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from consultations.selectors import expert_for_order
from core.timelabels import time_label
from insurance.selectors import enquiry_reference_before
from receipts.abn import abn_display
from shop.payment import PAID
from shop.selectors import order_wearer


def money(amount) -> str:
    """$1,234.50, and -$20.00 for a credit: how the documents and the refund page write it."""
    amount = Decimal(amount)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


# Over this total (GST included) a tax invoice must also show the buyer's identity or ABN.
BUYER_DETAILS_FROM = Decimal("1000.00")


def _enquiry_reference(email: str, product_ids, before) -> str:
    """The enquiry before the document, for its health-fund part ("" without an address)."""
    if not email:
        return ""
    return enquiry_reference_before(email=email, product_ids=product_ids, before=before)


def _business() -> dict:
    return {
        "name": settings.BUSINESS_NAME,
        "abn": abn_display(settings.BUSINESS_ABN) if settings.BUSINESS_ABN else "",
        "address": settings.BUSINESS_ADDRESS,
        "phone": settings.SHOP_PHONE,
    }


def invoice_context(document) -> dict:
    order = document.order
    order_lines = list(order.lines.select_related("product"))
    lines = [
        {
            "description": line.title,
            "sku": line.partner_sku,
            "quantity": line.quantity,
            "unit_price": line.unit_price_incl_tax,
            "total": line.line_price_incl_tax,
            "discount": line.line_price_before_discounts_incl_tax - line.line_price_incl_tax,
        }
        for line in order_lines
    ]
    products = [line.product for line in order_lines if line.product]
    # An enquiry names the product (the parent of the size that was bought).
    product_ids = {p.pk for p in products} | {p.parent_id for p in products if p.parent_id}
    paid = order.status_changes.filter(new_status=PAID).order_by("date_created").first()
    address = order.shipping_address or order.billing_address
    buyer = address.name if address else ""
    expert = expert_for_order(order.pk)
    enquiry = _enquiry_reference(order.email, product_ids, order.date_placed)
    return {
        "business": _business(),
        "title": "Tax invoice",
        "number_label": "Invoice number",
        "total_label": "Total paid",
        "number": document.display_number,
        "replaces": document.replaces.display_number if document.replaces else "",
        "issued": time_label(document.issued_at, style="date"),
        "issued_at": document.issued_at,
        "paid": time_label(paid.date_created, style="date") if paid else "",
        "order_number": order.number,
        "lines": lines,
        "delivery": {"method": order.shipping_method, "price": order.shipping_incl_tax},
        "discounts": [
            {"name": d.offer_name or d.voucher_code, "amount": d.amount}
            for d in order.discounts.all()
        ],
        "total": order.total_incl_tax,
        "gst": order.total_tax,
        "payment": ", ".join(s.source_type.name for s in order.sources.all()) or "",
        "buyer": (
            {"name": buyer, "address": ", ".join(address.active_address_fields()[1:])}
            if order.total_incl_tax >= BUYER_DETAILS_FROM and address
            else None
        ),
        "health_fund": {
            "wearer": order_wearer(order.pk) or buyer,
            "category": settings.HEALTH_FUND_ITEM_CATEGORY,
            "expert": expert.display_name if expert else "",
            "provider_number": expert.provider_number if expert else "",
            "enquiry": enquiry,
        },
        "currency": order.currency,
    }


def credit_note_context(document) -> dict:
    """What a credit note shows: the invoice it reduces (its business, buyer and health-fund
    part), what it credits as negative lines (units of a line, delivery, another amount), the
    reason, and how the money went back."""
    content = document.content
    context = invoice_context(document.invoice)
    lines = [
        {
            "description": line["description"],
            "sku": line["sku"],
            "quantity": line["quantity"],
            "unit_price": -Decimal(line["total"]) / line["quantity"],
            "total": -Decimal(line["total"]),
            "discount": Decimal(0),
        }
        for line in content["lines"]
    ]
    if content.get("other"):
        amount = Decimal(content["other"]["amount"])
        lines.append(
            {
                "description": "Other amount refunded",
                "sku": "",
                "quantity": 1,
                "unit_price": -amount,
                "total": -amount,
                "discount": Decimal(0),
            }
        )
    delivery = content.get("delivery")
    return {
        **context,
        "title": "Credit note",
        "number_label": "Credit note number",
        "total_label": "Total credited",
        "gst_label": "Total credited includes GST of",
        "number": document.display_number,
        "credits": context["number"],
        "replaces": "",
        "paid": "",
        "issued": time_label(document.issued_at, style="date"),
        "issued_at": document.issued_at,
        "lines": lines,
        "discounts": [],
        "delivery": (
            {"method": delivery["method"], "price": -Decimal(delivery["amount"])}
            if delivery
            else None
        ),
        "total": -document.amount,
        "gst": -Decimal(content["gst"]),
        "payment_label": "Refunded the way it was paid:",
        "remarks": [("Reason", content["reason"])],
        "footnote": (
            "If you have claimed this purchase from your health fund, tell your fund about this "
            "credit: it may ask for part of its benefit back."
        ),
    }


def quote_context(document) -> dict:
    """What a quote shows: the basket as it was (Document.content), valid until its date."""
    content = document.content
    ids = {pk for line in content["lines"] for pk in line["product_ids"] if pk}
    enquiry = _enquiry_reference(content.get("email", ""), ids, document.issued_at)
    return {
        "business": _business(),
        "title": "Quote",
        "number_label": "Quote number",
        "total_label": "Total",
        "number": document.display_number,
        "replaces": "",
        "issued": time_label(document.issued_at, style="date"),
        "issued_at": document.issued_at,
        "valid_until": time_label(document.valid_until, style="date"),
        "lines": quote_lines(document),
        "delivery": None,
        "discounts": [],
        "total": Decimal(content["total"]),
        "gst": Decimal(content["gst"]),
        "health_fund": {
            "wearer": content.get("wearer", ""),
            "category": settings.HEALTH_FUND_ITEM_CATEGORY,
            "expert": "",
            "provider_number": "",
            "enquiry": enquiry,
        },
        "footnote": (
            "Delivery is not included: health funds do not pay towards it. Your fund decides "
            "what it pays; send it this quote to ask."
        ),
        "currency": "AUD",
    }


def quote_lines(document) -> list[dict]:
    """A quote's lines as they were in the basket, amounts as Decimals."""
    money = ("unit_price", "total", "discount")
    return [
        {**line, **{key: Decimal(line[key]) for key in money}} for line in document.content["lines"]
    ]


# --------------------------------------------------------------------------------------------
# Refunds: what is left to credit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineLeft:
    line: object  # the order's line
    quantity: int  # units not yet credited
    amount: Decimal  # what they cost (GST included, after discounts)
    gst: Decimal

    def credit(self, quantity: int) -> tuple[Decimal, Decimal]:
        """The amount and GST of crediting `quantity` of the units left: the line's price per
        unit, and the exact remainder for the last units, so a line credited in parts adds
        up to what was paid for it."""
        if quantity == self.quantity:
            return self.amount, self.gst
        return (
            _cents(self.amount * quantity / self.quantity),
            _cents(self.gst * quantity / self.quantity),
        )


@dataclass(frozen=True)
class RefundLeft:
    lines: list[LineLeft]
    delivery: tuple[Decimal, Decimal] | None  # (amount, GST) when delivery is not credited yet
    total: Decimal  # the most that may still be credited
    gst_share: Decimal  # the order's GST as a share of its total, for another amount

    def other_gst(self, amount: Decimal) -> Decimal:
        return _cents(amount * self.gst_share)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def refund_left(order, credit_notes) -> RefundLeft:
    """What of `order` may still be refunded, given its `credit_notes` so far: the units of
    each line, delivery, and the total (what was paid less what was credited). The refund
    page shows it, and receipts.services.credit_note_issue checks against it under a lock."""
    credited_lines: dict[int, list[Decimal]] = {}
    delivery_credited = False
    credited = Decimal("0.00")
    for note in credit_notes:
        credited += note.amount
        delivery_credited |= bool(note.content.get("delivery"))
        for line in note.content["lines"]:
            quantity, amount, gst = credited_lines.get(line["line_id"], [0, Decimal(0), Decimal(0)])
            credited_lines[line["line_id"]] = [
                quantity + line["quantity"],
                amount + Decimal(line["total"]),
                gst + Decimal(line["gst"]),
            ]
    lines = []
    for line in order.lines.all():
        quantity, amount, gst = credited_lines.get(line.pk, [0, Decimal(0), Decimal(0)])
        lines.append(
            LineLeft(
                line=line,
                quantity=line.quantity - quantity,
                amount=line.line_price_incl_tax - amount,
                gst=line.line_price_incl_tax - line.line_price_excl_tax - gst,
            )
        )
    shipping = order.shipping_incl_tax
    total = order.total_incl_tax
    return RefundLeft(
        lines=lines,
        delivery=(
            None
            if delivery_credited or not shipping
            else (shipping, shipping - order.shipping_excl_tax)
        ),
        total=total - credited,
        gst_share=order.total_tax / total if total else Decimal(0),
    )

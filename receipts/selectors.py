"""What a tax invoice shows, gathered as plain data for receipts/layout.py: the order, its
lines, delivery, discounts, GST, payment, and the health-fund part (who wears it, the item
category, the expert who recommended it, the enquiry before it)."""

from decimal import Decimal

from django.conf import settings

from consultations.selectors import expert_for_order
from core.timelabels import time_label
from insurance.selectors import enquiry_reference_before
from receipts.abn import abn_display
from shop.payment import PAID
from shop.selectors import order_wearer

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
        "currency": "AUD",
    }


def quote_lines(document) -> list[dict]:
    """A quote's lines as they were in the basket, amounts as Decimals."""
    money = ("unit_price", "total", "discount")
    return [
        {**line, **{key: Decimal(line[key]) for key in money}} for line in document.content["lines"]
    ]

"""Issuing and keeping tax invoices (receipts/models.py says what a document is).

- `invoice_issue(order_id=...)`: once an order is paid, in the transaction that records it:
  its number is taken from the gapless sequence and the e-mail that carries it is owed (the
  outbox). Asked again for the same order, the same invoice is returned.
- `credit_note_issue(...)`: a refund, whole or partial, from the order's dashboard page: a
  credit note in its own sequence, negative amounts and GST, never more than is left.
- `document_pdf(document)`: the PDF's bytes, made once (by the worker, for the e-mail, or by
  the first download) and stored; every later call reads the stored file.
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from core import clock, outbox
from receipts.models import Document, Sequence
from receipts.selectors import (
    credit_note_context,
    invoice_context,
    money,
    quote_context,
    refund_left,
)
from shop.services import RefundFailed, order_refund_record


def number_take(kind: str) -> int:
    """The next number of `kind`'s sequence. Call inside the transaction that records the
    document: the row stays locked until it commits, and a rollback gives the number back."""
    sequence = Sequence.objects.select_for_update().get(name=kind)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def invoice_issue(*, order_id: int) -> Document:
    with transaction.atomic():
        existing = Document.objects.current_invoices().filter(order_id=order_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    kind=Document.Kind.INVOICE,
                    number=number_take(Document.Kind.INVOICE),
                    order_id=order_id,
                )
                outbox.owe("order.tax_invoice", document.pk)
        except IntegrityError:
            # Paid twice at once (two staff, a retried webhook): the other one's invoice
            # stands, and this one's number went back with its savepoint.
            return Document.objects.current_invoices().get(order_id=order_id)
    return document


def invoice_reissue(*, order_id: int) -> Document:
    """A correction (the order changed after its invoice was made): a new version of the same
    invoice number, marked as replacing the last, made and e-mailed like the first. The old
    version is never edited: its stored PDF stays as it was sent. Two staff re-issuing at once
    make two versions, one after the other (the current version's row is locked)."""
    with transaction.atomic():
        current = (
            # of=self: "not replaced" is an outer join, which PostgreSQL cannot lock
            Document.objects.current_invoices()
            .select_for_update(of=("self",))
            .filter(order_id=order_id)
            .first()
        )
        if current is None:
            raise Document.DoesNotExist("the order has no invoice to correct")
        document = Document.objects.create(
            kind=current.kind,
            number=current.number,
            version=current.version + 1,
            replaces=current,
            order_id=order_id,
        )
        outbox.owe("order.tax_invoice", document.pk)
    return document


class RefundRefused(Exception):
    """The refund asked for cannot be credited; the message says why, for the staff member."""


def credit_note_issue(
    *, order_id: int, quantities: dict[int, int], delivery: bool, other, reason: str, user
) -> Document:
    """A refund of a paid order, whole or in part: `quantities` of its lines (line id: units),
    its delivery, and/or an `other` amount (GST included, GST in the order's proportion). The
    credit note is numbered in its own gapless sequence and refers to the current invoice;
    the refund is recorded on the order; the note is e-mailed through the outbox. Nothing is
    recorded when it would credit nothing, more units than are left, or more than is left of
    what was paid. The invoice's row is locked, so two refunds at once are checked one after
    the other."""
    reason = reason.strip()
    if not reason:
        raise RefundRefused("Say why: the reason is printed on the credit note.")
    with transaction.atomic():
        invoice = (
            Document.objects.current_invoices()
            .select_for_update(of=("self",))
            .select_related("order")
            .filter(order_id=order_id)
            .first()
        )
        if invoice is None:
            raise RefundRefused("This order has no tax invoice yet: it has not been paid.")
        order = invoice.order
        left = refund_left(order, Document.objects.credit_notes().filter(order_id=order_id))
        lines, gst = [], Decimal("0.00")
        for line_left in left.lines:
            quantity = quantities.get(line_left.line.pk, 0)
            if not quantity:
                continue
            if not 0 < quantity <= line_left.quantity:
                raise RefundRefused(
                    f"{line_left.line.title}: {line_left.quantity} left to refund, not {quantity}."
                )
            amount, line_gst = line_left.credit(quantity)
            gst += line_gst
            lines.append(
                {
                    "line_id": line_left.line.pk,
                    "description": line_left.line.title,
                    "sku": line_left.line.partner_sku,
                    "quantity": quantity,
                    "total": str(amount),
                    "gst": str(line_gst),
                }
            )
        total = sum((Decimal(line["total"]) for line in lines), Decimal("0.00"))
        content = {"lines": lines, "reason": reason[:200], "recorded_by": user.get_username()}
        if delivery:
            if left.delivery is None:
                raise RefundRefused("Delivery has been refunded already, or was free.")
            content["delivery"] = {
                "method": order.shipping_method,
                "amount": str(left.delivery[0]),
                "gst": str(left.delivery[1]),
            }
            total += left.delivery[0]
            gst += left.delivery[1]
        if other:
            content["other"] = {"amount": str(other), "gst": str(left.other_gst(other))}
            total += other
            gst += left.other_gst(other)
        if total <= 0:
            raise RefundRefused("Choose what to refund: units of a line, delivery or an amount.")
        if total > left.total:
            raise RefundRefused(
                f"That is {money(total)}, but only {money(left.total)} of this order is left "
                "to refund."
            )
        content["gst"] = str(gst)
        document = Document.objects.create(
            kind=Document.Kind.CREDIT_NOTE,
            number=number_take(Document.Kind.CREDIT_NOTE),
            order=order,
            invoice=invoice,
            amount=total,
            content=content,
        )
        try:
            order_refund_record(
                order=order, amount=total, reference=document.display_number, user=user
            )
        except RefundFailed as failed:
            raise RefundRefused(str(failed)) from failed
        outbox.owe("order.credit_note", document.pk)
    return document


class QuoteRefused(Exception):
    """An empty basket has nothing to quote."""


def quote_make(*, basket, wearer: str = "", email: str = "") -> Document:
    """A quote for a health fund from what the basket holds now: numbered in its own sequence,
    valid QUOTE_VALID_DAYS, its PDF made at once (the customer downloads it on the next page)
    and, when an address is given, e-mailed through the outbox. The basket is not changed."""
    lines = [line for line in basket.all_lines() if line.quantity]
    if not lines:
        raise QuoteRefused
    content = {
        "lines": [
            {
                "description": line.product.get_title(),
                "sku": line.stockrecord.partner_sku if line.stockrecord else "",
                "quantity": line.quantity,
                "unit_price": str(line.unit_price_incl_tax),
                "total": str(line.line_price_incl_tax_incl_discounts),
                "discount": str(line.discount_value),
                "product_ids": [line.product_id, line.product.parent_id],
            }
            for line in lines
        ],
        "total": str(basket.total_incl_tax),
        "gst": str(basket.total_tax),
        "wearer": wearer.strip()[:120],
        "email": email.strip()[:254],
    }
    now = clock.now()
    with transaction.atomic():
        document = Document.objects.create(
            kind=Document.Kind.QUOTE,
            number=number_take(Document.Kind.QUOTE),
            issued_at=now,
            content=content,
            token=secrets.token_urlsafe(32),
            valid_until=clock.today() + timedelta(days=settings.QUOTE_VALID_DAYS),
        )
        if content["email"]:
            outbox.owe("basket.quote", document.pk)
    document_pdf(document)  # shown at once; the e-mail attaches the same stored bytes
    return document


def document_pdf(document: Document) -> bytes:
    """The stored PDF, made and stored first if it is not yet. Two makers at once store one
    file: the conditional update lets the first name through; the other's file is deleted."""
    if document.pdf:
        with document.pdf.open("rb") as stored:
            return stored.read()
    from receipts.layout import invoice_pdf  # fpdf2 takes ~0.3 s to import: only when needed

    context = {
        Document.Kind.INVOICE: invoice_context,
        Document.Kind.CREDIT_NOTE: credit_note_context,
        Document.Kind.QUOTE: quote_context,
    }[document.kind](document)
    content = invoice_pdf(context)
    name = document.pdf.storage.save(f"receipts/{document.filename}", ContentFile(content))
    if Document.objects.filter(pk=document.pk, pdf="").update(pdf=name):
        document.pdf.name = name
        return content
    document.pdf.storage.delete(name)
    document.refresh_from_db()
    return document_pdf(document)

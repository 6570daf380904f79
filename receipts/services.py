"""Issuing and keeping tax invoices (receipts/models.py says what a document is).

- `invoice_issue(order_id=...)`: once an order is paid, in the transaction that records it:
  its number is taken from the gapless sequence and the e-mail that carries it is owed (the
  outbox). Asked again for the same order, the same invoice is returned.
- `document_pdf(document)`: the PDF's bytes, made once (by the worker, for the e-mail, or by
  the first download) and stored; every later call reads the stored file.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from core import outbox
from receipts.layout import invoice_pdf
from receipts.models import Document, Sequence
from receipts.selectors import invoice_context


def number_take(kind: str) -> int:
    """The next number of `kind`'s sequence. Call inside the transaction that records the
    document: the row stays locked until it commits, and a rollback gives the number back."""
    sequence = Sequence.objects.select_for_update().get(name=kind)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def invoice_issue(*, order_id: int) -> Document:
    with transaction.atomic():
        existing = Document.objects.filter(
            order_id=order_id, kind=Document.Kind.INVOICE, replaced_by__isnull=True
        ).first()
        if existing is not None:
            return existing
        document = Document.objects.create(
            kind=Document.Kind.INVOICE, number=number_take(Document.Kind.INVOICE), order_id=order_id
        )
        outbox.owe("order.tax_invoice", document.pk)
    return document


def invoice_reissue(*, order_id: int) -> Document:
    """A correction (the order changed after its invoice was made): a new version of the same
    invoice number, marked as replacing the last, made and e-mailed like the first. The old
    version is never edited: its stored PDF stays as it was sent. Two staff re-issuing at once
    make two versions, one after the other (the current version's row is locked)."""
    with transaction.atomic():
        current = (
            # of=self: "not replaced" is an outer join, which PostgreSQL cannot lock
            Document.objects.select_for_update(of=("self",))
            .filter(order_id=order_id, kind=Document.Kind.INVOICE, replaced_by__isnull=True)
            .order_by("-version")
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


def document_pdf(document: Document) -> bytes:
    """The stored PDF, made and stored first if it is not yet. Two makers at once store one
    file: the conditional update lets the first name through; the other's file is deleted."""
    if document.pdf:
        with document.pdf.open("rb") as stored:
            return stored.read()
    content = invoice_pdf(invoice_context(document))
    name = document.pdf.storage.save(f"receipts/{document.filename}", ContentFile(content))
    if Document.objects.filter(pk=document.pk, pdf="").update(pdf=name):
        document.pdf.name = name
        return content
    document.pdf.storage.delete(name)
    document.refresh_from_db()
    return document_pdf(document)

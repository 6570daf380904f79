from django.conf import settings
from django.db import models
from django.utils.text import slugify

from core import clock
from core.storage import private_storage


class Sequence(models.Model):
    """The last number given in each gapless sequence (one per kind of document). A number is
    taken by locking this row inside the transaction that records its document, so a rolled
    back document gives its number back and none is used twice (receipts/services.py)."""

    name = models.CharField(primary_key=True, max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_number}"


class DocumentQuerySet(models.QuerySet):
    def current_invoices(self):
        """Tax invoices not replaced by a corrected version: the one each order shows."""
        return self.filter(kind=Document.Kind.INVOICE, replaced_by__isnull=True)

    def credit_notes(self):
        return self.filter(kind=Document.Kind.CREDIT_NOTE).order_by("number")


class Document(models.Model):
    """A tax invoice, a credit note or a quote, numbered in its kind's sequence. Its PDF is
    made once and stored (private storage), so the same bytes are served every time; a
    correction is a new version that replaces it, never an edit of it."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Tax invoice"
        CREDIT_NOTE = "credit", "Credit note"
        QUOTE = "quote", "Quote"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    # An invoice's or credit note's order; a quote has none (it is made from a basket).
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A credit note: the invoice it credits, and how much (GST included, a positive amount
    # that the note shows negative).
    invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # A quote: what the basket held when it was made (lines, totals, who will wear it, the
    # address to send it to), its unguessable link, and the last day it holds. A credit
    # note: what it credits (lines and quantities, delivery, another amount), the reason and
    # who recorded it.
    content = models.JSONField(default=dict, blank=True)
    token = models.CharField(max_length=43, null=True, blank=True, unique=True)
    valid_until = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(default=clock.now)
    pdf = models.FileField(storage=private_storage, upload_to="receipts/", blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number", "version"], name="one_document_per_number"
            ),
            # An order paid twice at once (two staff, a webhook retried) gets one invoice.
            models.UniqueConstraint(
                fields=["order", "kind", "version"],
                condition=models.Q(kind="invoice"),
                name="one_invoice_version_per_order",
            ),
        ]
        indexes = [models.Index(fields=["order", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.display_number}"

    @property
    def display_number(self) -> str:
        prefix = {
            self.Kind.INVOICE: settings.INVOICE_NUMBER_PREFIX,
            self.Kind.CREDIT_NOTE: settings.CREDIT_NOTE_NUMBER_PREFIX,
            self.Kind.QUOTE: settings.QUOTE_NUMBER_PREFIX,
        }[self.kind]
        base = f"{prefix}{self.number:06d}"
        return base if self.version == 1 else f"{base}-{self.version}"

    @property
    def filename(self) -> str:
        return f"{slugify(self.get_kind_display())}-{self.display_number}.pdf"

"""What a paid order owes its customer: "Your tax invoice and receipt", with the PDF
attached, and a credit note for each refund, its PDF attached; and a quote made with an
e-mail address, its PDF attached. Declared here once; core/outbox.py sends each once (the
worker makes and stores the PDF first, if it is not made yet)."""

from django.conf import settings
from django.urls import reverse

from core import outbox
from core.mail import templated_message
from receipts.models import Document
from receipts.services import document_pdf
from shop.selectors import order_page


def _message(document):
    """A tax invoice's or a credit note's e-mail, its PDF attached."""
    order = document.order
    template = "credit_note" if document.kind == Document.Kind.CREDIT_NOTE else "tax_invoice"
    message = templated_message(
        f"receipts/emails/{template}",
        {"document": document, "order": order, "status_url": settings.SITE_URL + order_page(order)},
        to=[order.email],
        subject=(
            f"Your {document.get_kind_display().lower()} {document.display_number}"
            f" for order {order.number}"
        ),
    )
    message.attach(document.filename, document_pdf(document), "application/pdf")
    return message


# A tax invoice, and each credit note, is e-mailed once to the order's address.
for _kind, _document_kind in [
    ("order.tax_invoice", Document.Kind.INVOICE),
    ("order.credit_note", Document.Kind.CREDIT_NOTE),
]:
    outbox.declare(
        outbox.OwedEmail(
            kind=_kind,
            owed=lambda now, kind=_document_kind: Document.objects.filter(
                kind=kind, sent_at__isnull=True
            ).select_related("order", "order__user", "replaces", "invoice"),
            build=_message,
            since="issued_at",
            sent_field="sent_at",
            error_field="last_email_error",
            label=str,  # "Tax invoice INV-000001", "Credit note CN-000001"
        )
    )


def _quote_message(document):
    message = templated_message(
        "receipts/emails/quote",
        {"document": document, "quote_url": settings.SITE_URL + quote_page(document)},
        to=[document.content["email"]],
        subject=f"Your quote {document.display_number} for your health fund",
    )
    message.attach(document.filename, document_pdf(document), "application/pdf")
    return message


def quote_page(document) -> str:
    return reverse("receipts-quotes:quote", args=[document.token])


outbox.declare(
    outbox.OwedEmail(
        kind="basket.quote",
        owed=lambda now: Document.objects.filter(
            kind=Document.Kind.QUOTE, sent_at__isnull=True
        ).exclude(content__email=""),
        build=_quote_message,
        since="issued_at",
        sent_field="sent_at",
        error_field="last_email_error",
        label=str,
    )
)

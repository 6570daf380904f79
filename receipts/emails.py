"""What a paid order owes its customer: "Your tax invoice and receipt", with the PDF attached;
and a quote made with an e-mail address, its PDF attached. Declared here once; core/outbox.py
sends each once (the worker makes and stores the PDF first, if it is not made yet)."""

from django.conf import settings
from django.urls import reverse

from core import outbox
from core.mail import templated_message
from receipts.models import Document
from receipts.services import document_pdf


def _message(document):
    order = document.order
    message = templated_message(
        "receipts/emails/tax_invoice",
        {"document": document, "order": order, "status_url": settings.SITE_URL + order_page(order)},
        to=[order.email],
        subject=f"Your tax invoice {document.display_number} for order {order.number}",
    )
    message.attach(document.filename, document_pdf(document), "application/pdf")
    return message


def order_page(order) -> str:
    """The order's page for the customer: their account's, or the guest's status page."""
    if order.user_id:
        return reverse("customer:order", args=[order.number])
    return reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )


outbox.declare(
    outbox.OwedEmail(
        kind="order.tax_invoice",
        owed=lambda now: Document.objects.filter(
            kind=Document.Kind.INVOICE, sent_at__isnull=True
        ).select_related("order", "order__user", "replaces"),
        build=_message,
        since="issued_at",
        sent_field="sent_at",
        error_field="last_email_error",
        label=lambda document: f"Tax invoice {document.display_number}",
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
        label=lambda document: f"Quote {document.display_number}",
    )
)

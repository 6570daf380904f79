"""What a paid order owes its customer: "Your tax invoice and receipt", with the PDF attached.
Declared here once; core/outbox.py sends it once (the worker makes and stores the PDF first)."""

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

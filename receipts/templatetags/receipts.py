from django import template

from receipts.models import Document

register = template.Library()


@register.simple_tag
def tax_invoice_for(order):
    """The order's current tax invoice, or None (not paid yet): `{% tax_invoice_for order as
    invoice %}` on the order pages."""
    return Document.objects.current_invoices().filter(order=order).first()


@register.simple_tag
def credit_notes_for(order):
    """The order's credit notes, oldest first."""
    return list(Document.objects.credit_notes().filter(order=order))

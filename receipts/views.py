"""Downloading a tax invoice or a credit note: the customer from their order's page (their
account's, or the guest's order-status page: its signed link and the e-mail address typed
there), staff from the order's dashboard page, where they can also send it again and refund
the order (a credit note). The same 404 for a made-up number, another's order and an order
not paid yet; the PDF is the stored one, never made afresh. And quotes from the basket."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core import outbox
from core.dashboard import RoleRequiredMixin
from core.forms import AccessibleFormMixin
from receipts.models import Document
from receipts.selectors import money, quote_lines, refund_left
from receipts.services import (
    QuoteRefused,
    RefundRefused,
    credit_note_issue,
    document_pdf,
    invoice_reissue,
    quote_make,
)
from shop.models import ReturnRequest
from shop.returns import ReturnRefused, refundable_return, return_step
from shop.selectors import order_shown_to

STAFF_PERMISSION = "order.view_order"  # the shop manager's orders (and superusers)


def _order_document(order_number: str, credit_note: str | None = None) -> Document:
    """The order's current tax invoice or, given its number (CN-000001), one of its credit
    notes; 404 for a made-up or tampered number and for an order not paid yet."""
    if credit_note is None:
        documents = Document.objects.current_invoices().select_related("order", "replaces")
    else:
        documents = Document.objects.credit_notes().select_related("order", "invoice")
    for document in documents.filter(order__number=order_number[:128]):
        if credit_note in (None, document.display_number):
            return document
    raise Http404


def _pdf_response(document: Document) -> HttpResponse:
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class GuestDocumentView(View):
    """A tax invoice or credit note from a guest's order-status page (with `hash`), or from the
    order's page in the customer's account: shop.selectors.order_shown_to decides."""

    def get(self, request, order_number, credit_note=None, hash=None):
        document = _order_document(order_number, credit_note)
        if not order_shown_to(request, document.order, hash):
            raise Http404
        return _pdf_response(document)


class CustomerDocumentView(LoginRequiredMixin, GuestDocumentView):
    """The account's: signed out, the customer is asked to sign in first."""


def can_see_orders(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(STAFF_PERMISSION)


def can_change_orders(user) -> bool:
    return can_see_orders(user) and user.has_perm("order.change_order")


class StaffDocumentView(RoleRequiredMixin, View):
    """GET: the PDF. POST: e-mail it to the customer again (the outbox sends it once more)."""

    role_check = staticmethod(can_see_orders)

    def get(self, request, order_number, credit_note=None):
        return _pdf_response(_order_document(order_number, credit_note))

    def post(self, request, order_number, credit_note=None):
        """ "E-mail it again" (the stored file), or "re-issue" a tax invoice after a correction
        (a new version replacing it, e-mailed in turn)."""
        if not can_change_orders(request.user):
            raise PermissionDenied
        document = _order_document(order_number, credit_note)
        if credit_note is None and request.POST.get("action") == "reissue":
            document = invoice_reissue(order_id=document.order_id)
            messages.success(
                request,
                f"Tax invoice {document.display_number} replaces {document.replaces.display_number}"
                " and is being sent to the customer.",
            )
        else:
            Document.objects.filter(pk=document.pk).update(sent_at=None, last_email_error="")
            kind = "order.tax_invoice" if credit_note is None else "order.credit_note"
            outbox.owe(kind, document.pk)
            messages.success(request, f"{document} is being sent again.")
        return redirect("dashboard:order-detail", number=document.order.number)


# --------------------------------------------------------------------------------------------
# Refunds: a credit note from the order's dashboard page
# --------------------------------------------------------------------------------------------


class RefundForm(AccessibleFormMixin, forms.Form):
    """What to refund: units of each line, delivery, another amount; and why. The fields for
    lines and delivery are made from what is left to refund (receipts.selectors.refund_left)."""

    other_amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        label="Other amount (AUD, GST included)",
        help_text="A goodwill refund or a price adjustment, on top of what is chosen above.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    reason = forms.CharField(
        max_length=200,
        label="Reason (shown on the credit note)",
        error_messages={"required": "Say why: the reason is printed on the credit note."},
    )

    def __init__(self, *args, left, **kwargs):
        super().__init__(*args, **kwargs)
        self.left = left
        lines = {}
        for line_left in left.lines:
            line = line_left.line
            lines[f"line_{line.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=line_left.quantity,
                initial=0,
                label=f"Quantity to refund: {line.title}",
                help_text=(
                    f"{line_left.quantity} of {line.quantity} left to refund"
                    f" ({money(line_left.amount)} with GST)."
                ),
            )
        if left.delivery is not None:
            lines["delivery"] = forms.BooleanField(
                required=False, label=f"Refund delivery ({money(left.delivery[0])})"
            )
        self.fields = {**lines, **self.fields}
        for field in lines.values():
            field.widget.attrs.setdefault(
                "class",
                "form-check-input" if isinstance(field, forms.BooleanField) else "form-control",
            )

    def quantities(self) -> dict[int, int]:
        return {
            line_left.line.pk: self.cleaned_data.get(f"line_{line_left.line.pk}") or 0
            for line_left in self.left.lines
        }


class RefundView(RoleRequiredMixin, View):
    """The shop manager refunds an order, whole or in part; the customer is e-mailed the
    credit note. What was typed stays on the page when the refund is refused.

    With `?return=<id>` (from a received return's dashboard page) the form starts with that
    return's units and reason, and the refund also marks the return refunded, both or
    neither (one transaction)."""

    role_check = staticmethod(can_change_orders)
    template_name = "receipts/dashboard/refund.html"

    def left(self):
        return refund_left(self.order, Document.objects.credit_notes().filter(order=self.order))

    def page(self, form, status=200):
        context = {
            "form": form,
            "order": self.order,
            "invoice": self.invoice,
            "left": form.left,
            "return_request": self.return_request,
        }
        return render(self.request, self.template_name, context, status=status)

    def _find(self, order_number, return_id):
        self.invoice = _order_document(order_number)  # after the role check: 404, not 403
        self.order = self.invoice.order
        self.return_request = None
        if return_id:
            self.return_request = refundable_return(order=self.order, return_id=return_id)
            if self.return_request is None:
                raise Http404

    def get(self, request, order_number):
        self._find(order_number, request.GET.get("return", ""))
        initial = {}
        if self.return_request:
            returned = self.return_request
            initial = {
                f"line_{returned.line_id}": returned.quantity,
                "reason": f"Return {returned.reference}: {returned.get_reason_display()}",
            }
        return self.page(RefundForm(left=self.left(), initial=initial))

    def post(self, request, order_number):
        self._find(order_number, request.POST.get("return", ""))
        form = RefundForm(request.POST, left=self.left())
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            with transaction.atomic():
                note = credit_note_issue(
                    order_id=self.order.pk,
                    quantities=form.quantities(),
                    delivery=form.cleaned_data.get("delivery", False),
                    other=form.cleaned_data["other_amount"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
                if self.return_request:
                    return_step(
                        request_id=self.return_request.pk,
                        status=ReturnRequest.Status.REFUNDED,
                        by=request.user,
                        message=f"Credit note {note.display_number}",
                    )
        except (RefundRefused, ReturnRefused) as refused:
            form.add_error(None, str(refused))
            return self.page(form, status=400)
        messages.success(
            request,
            f"Credit note {note.display_number} for {money(note.amount)} is being e-mailed to "
            "the customer: it tells them the money is on its way back. Pay it back now: by bank "
            "transfer to the account they paid from, or in Stripe's dashboard for a card.",
        )
        return redirect("dashboard:order-detail", number=self.order.number)


# --------------------------------------------------------------------------------------------
# Quotes for a health fund, from the basket
# --------------------------------------------------------------------------------------------


class QuoteForm(AccessibleFormMixin, forms.Form):
    wearer_name = forms.CharField(
        max_length=120,
        required=False,
        label="Who will wear it? (optional)",
        help_text="The person whose fund you will ask. Leave it empty if that is you.",
    )
    email = forms.EmailField(
        max_length=254,
        required=False,
        label="E-mail it to me (optional)",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.com."},
    )


class QuoteMakeView(View):
    """The basket's quote: a form (who wears it, where to e-mail it), then the quote."""

    template_name = "receipts/quote_form.html"

    def get(self, request):
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        return self.page(QuoteForm(initial=initial))

    def page(self, form, status=200, error=""):
        context = {"form": form, "basket": self.request.basket, "error": error}
        return render(self.request, self.template_name, context, status=status)

    def post(self, request):
        form = QuoteForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            quote = quote_make(
                basket=request.basket,
                wearer=form.cleaned_data["wearer_name"],
                email=form.cleaned_data["email"],
            )
        except QuoteRefused:
            return self.page(form, status=400, error="Your basket is empty: add a support first.")
        return redirect("receipts-quotes:quote", token=quote.token)


def _quote(token: str) -> Document:
    document = Document.objects.filter(kind=Document.Kind.QUOTE, token=token[:64]).first()
    if document is None:
        raise Http404
    return document


class QuoteView(View):
    def get(self, request, token):
        quote = _quote(token)
        context = {"quote": quote, "lines": quote_lines(quote)}
        response = render(request, "receipts/quote.html", context)
        response["Cache-Control"] = "private, no-store"
        return response


class QuotePdfView(View):
    def get(self, request, token):
        return _pdf_response(_quote(token))

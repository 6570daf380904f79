"""Downloading a tax invoice: the customer from their order's page (their account's, or the
guest's order-status page: its signed link and the e-mail address typed there), staff from
the order's dashboard page, where they can also send it again. The same 404 for a made-up
number, another's order and an order not paid yet; the PDF is the stored one, never made
afresh."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core import outbox
from core.dashboard import RoleRequiredMixin
from core.forms import AccessibleFormMixin
from receipts.models import Document
from receipts.selectors import quote_lines
from receipts.services import QuoteRefused, document_pdf, invoice_reissue, quote_make

STAFF_PERMISSION = "order.view_order"  # the shop manager's orders (and superusers)


def _invoice(order_number: str) -> Document:
    document = (
        Document.objects.current_invoices()
        .select_related("order", "replaces")
        .filter(order__number=order_number[:128])
        .first()
    )
    if document is None:
        raise Http404
    return document


def _pdf_response(document: Document) -> HttpResponse:
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class CustomerInvoiceView(LoginRequiredMixin, View):
    def get(self, request, order_number):
        document = _invoice(order_number)
        if document.order.user_id != request.user.pk:
            raise Http404
        return _pdf_response(document)


class GuestInvoiceView(View):
    """As Oscar's order-status page for guests: the signed link, and the order's e-mail
    address typed on Oscar's form in this browser (kept in the session, `anon_order_email`)."""

    def get(self, request, order_number, hash):
        document = _invoice(order_number)
        order = document.order
        typed = (request.session.get("anon_order_email") or "").lower()
        if order.user_id or not order.check_verification_hash(hash) or typed != order.email.lower():
            raise Http404
        return _pdf_response(document)


def can_see_orders(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(STAFF_PERMISSION)


class StaffInvoiceView(RoleRequiredMixin, View):
    """GET: the PDF. POST: e-mail it to the customer again (the outbox sends it once more)."""

    role_check = staticmethod(can_see_orders)

    def get(self, request, order_number):
        return _pdf_response(_invoice(order_number))

    def post(self, request, order_number):
        """ "E-mail it again" (the stored file), or "re-issue" after a correction (a new version
        replacing it, e-mailed in turn)."""
        if not request.user.has_perm("order.change_order"):
            raise PermissionDenied
        document = _invoice(order_number)
        if request.POST.get("action") == "reissue":
            document = invoice_reissue(order_id=document.order_id)
            messages.success(
                request,
                f"Tax invoice {document.display_number} replaces {document.replaces.display_number}"
                " and is being sent to the customer.",
            )
        else:
            Document.objects.filter(pk=document.pk).update(sent_at=None, last_email_error="")
            outbox.owe("order.tax_invoice", document.pk)
            messages.success(request, f"Tax invoice {document.display_number} is being sent again.")
        return redirect("dashboard:order-detail", number=document.order.number)


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

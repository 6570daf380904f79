"""The customer's side of exchanges and returns (shop/returns.py holds the rules): the
returns policy page, and "Exchange or return" for a line of an order, from the account's
order page or a guest's order-status page. What was typed stays on the page when a request
is refused; another's order, a made-up line and a tampered link are 404."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from core.forms import AccessibleFormMixin
from shop.models import ReturnRequest
from shop.returns import (
    ReturnRefused,
    exchange_choices,
    line_left_to_return,
    return_request,
    returns_open_until,
)
from shop.selectors import order_page, order_shown_to

Order = get_model("order", "Order")


class ReturnsPolicyView(TemplateView):
    """Written to the Australian Consumer Law: a faulty support is always repaired, replaced
    or refunded; the change-of-mind terms are stated; no "no refunds" wording."""

    template_name = "shop/returns_policy.html"
    extra_context = {"returns_window_days": settings.RETURNS_WINDOW_DAYS}


class ReturnForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=ReturnRequest.Kind.choices, widget=forms.RadioSelect, label="What would you like?"
    )
    replacement = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="For an exchange: which size or colour instead?",
    )
    quantity = forms.IntegerField(min_value=1, initial=1, label="How many?")
    reason = forms.ChoiceField(choices=ReturnRequest.Reason.choices, label="Why?")
    note = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything we should know? (optional)",
    )

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        left = line_left_to_return(line)
        self.fields["quantity"].validators.append(MaxValueValidator(left))
        self.fields["quantity"].widget.attrs["max"] = left
        choices = exchange_choices(line)
        self.fields["replacement"].choices = [("", "Choose a size or colour")] + [
            (record.pk, record.product.get_title()) for record, free in choices if free
        ]
        sold_out = [record.product.get_title() for record, free in choices if not free]
        if sold_out:
            self.fields["replacement"].help_text = (
                f"Sold out now: {'; '.join(sold_out)}. The product's page can e-mail you when "
                "one is back."
            )
        if not choices:  # a product without sizes can only be returned
            del self.fields["replacement"]
            self.fields["kind"].choices = [
                c for c in ReturnRequest.Kind.choices if c[0] == ReturnRequest.Kind.RETURN
            ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReturnRequest.Kind.EXCHANGE and not data.get("replacement"):
            self.add_error("replacement", "Choose the size or colour you would like instead.")
        return data


class GuestReturnView(View):
    """`?line=<id>`: the form for that line of the order; POST: the request."""

    template_name = "shop/return_form.html"

    def _order_and_line(self, request, order_number, hash):
        order = Order.objects.filter(number=order_number[:128]).first()
        if order is None or not order_shown_to(request, order, hash):
            raise Http404
        line_id = request.GET.get("line", "")
        line = order.lines.filter(pk=int(line_id)).first() if line_id.isdigit() else None
        if line is None:
            raise Http404
        return order, line

    def page(self, form, order, line, status=200):
        context = {
            "form": form,
            "order": order,
            "line": line,
            "open_until": returns_open_until(order),
            "order_url": order_page(order),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, order_number, hash=None):
        order, line = self._order_and_line(request, order_number, hash)
        return self.page(ReturnForm(line=line), order, line)

    def post(self, request, order_number, hash=None):
        order, line = self._order_and_line(request, order_number, hash)
        form = ReturnForm(request.POST, line=line)
        if not form.is_valid():
            return self.page(form, order, line, status=400)
        data = form.cleaned_data
        try:
            asked = return_request(
                order=order,
                line_id=line.pk,
                kind=data["kind"],
                quantity=data["quantity"],
                reason=data["reason"],
                note=data["note"],
                replacement_id=data.get("replacement"),
            )
        except ReturnRefused as refused:
            form.add_error(None, str(refused))
            return self.page(form, order, line, status=400)
        messages.success(
            request,
            f"We have your request {asked.reference}. We will e-mail you within two business "
            "days; please wait for our reply before you send anything back.",
        )
        return redirect(order_page(order))


class CustomerReturnView(LoginRequiredMixin, GuestReturnView):
    """The account's: signed out, the customer is asked to sign in first."""

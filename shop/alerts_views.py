"""'E-mail me when it's back' (shop/alerts.py has the rules): the sign-up from the product
page, and the two links its e-mails carry, confirm and unsubscribe. Both links show a page
with one button (a mail scanner that opens links confirms nothing). A bad address keeps what
was typed; a sign-up sent again, or a link used twice, does no harm and says so."""

from django import forms
from django.shortcuts import render
from django.views import View
from oscar.core.loading import get_model

from core.forms import AccessibleFormMixin
from core.limits import LimitReached
from core.requests import client_ip
from shop.alerts import alert_confirm, alert_sign_up, alert_unsubscribe

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


class StockAlertForm(AccessibleFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.exclude(structure=Product.PARENT),  # what has stock
        label="Which size?",
        error_messages={"invalid_choice": "Choose one of the sizes that are out of stock."},
    )
    email = forms.EmailField(
        max_length=254,
        label="Your e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.com."},
    )


class StockAlertView(View):
    template_name = "shop/stock_alert.html"

    def page(self, form, status=200, **context):
        return render(self.request, self.template_name, {"form": form, **context}, status=status)

    def post(self, request):
        form = StockAlertForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        product = form.cleaned_data["product"]
        record = StockRecord.objects.filter(product=product).first()
        if record is None:
            form.add_error("product", "Choose one of the sizes that are out of stock.")
            return self.page(form, status=400)
        if record.net_stock_level > 0:
            return self.page(form, in_stock=product)
        try:
            alert = alert_sign_up(
                stockrecord_id=record.pk,
                email=form.cleaned_data["email"],
                client_address=client_ip(request),
            )
        except LimitReached as limit:
            response = self.page(form, status=429, limit=limit)
            if limit.retry_after:
                response["Retry-After"] = str(limit.retry_after)
            return response
        return self.page(None, signed_up=alert, product=product)


class StockAlertLinkView(View):
    """GET: the page with its button; POST: confirm (or unsubscribe)."""

    action = "confirm"

    def get(self, request, token):
        return self._page(token, done=False)

    def post(self, request, token):
        (alert_confirm if self.action == "confirm" else alert_unsubscribe)(token)
        return self._page(token, done=True)

    def _page(self, token, *, done):
        from shop.models import StockAlert

        alert = (
            StockAlert.objects.select_related("stockrecord__product")
            .filter(token=token[:64])
            .first()
        )
        context = {"alert": alert, "action": self.action, "done": done}
        return render(
            self.request, "shop/stock_alert_link.html", context, status=200 if alert else 404
        )

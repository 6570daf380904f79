"""Checkout steps we replace: choosing how to pay, placing the order, queueing its e-mail."""

from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.apps.payment.exceptions import UnableToTakePayment
from oscar.core.loading import get_model

from core import outbox
from shop.apps.checkout.forms import PaymentMethodForm
from shop.models import Wearer
from shop.payment import (
    PENDING_PAYMENT,
    STRIPE_METHODS,
    CardPaymentUnavailable,
    card_checkout_start,
    payment_method,
)
from shop.services import order_message_context

SourceType = get_model("payment", "SourceType")
Source = get_model("payment", "Source")


WEARER = ("wearer", "name")  # the checkout session's key for who will wear it


class PaymentMethodView(views.PaymentMethodView):
    """Step 3: the customer chooses how to pay (Oscar skips straight to payment details)."""

    template_name = "oscar/checkout/payment_method.html"

    def get(self, request, *args, **kwargs):
        form = PaymentMethodForm(
            initial={"method": self.checkout_session.payment_method()}, total=self._total()
        )
        return self.render_to_response(self.get_context_data(form=form))

    def _total(self):
        """What the order will cost, delivery included: Afterpay is offered within limits."""
        return self.build_submission()["order_total"].incl_tax

    def post(self, request, *args, **kwargs):
        form = PaymentMethodForm(request.POST, total=self._total())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        self.checkout_session.pay_by(form.cleaned_data["method"])
        return redirect("checkout:preview")


class PaymentDetailsView(views.PaymentDetailsView):
    """Preview and place the order. Bank transfer needs no details, so the payment-details
    page goes straight on to the preview."""

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def _method(self):
        total = self.build_submission()["order_total"].incl_tax
        return payment_method(self.checkout_session.payment_method(), total)

    def check_payment_data_is_captured(self, request):
        if self._method() is None:
            raise FailedPreCondition(
                url=reverse("checkout:payment-method"),
                message="Please choose how you would like to pay.",
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payment_method"] = self._method()
        return context

    def handle_payment(self, order_number, total, **kwargs):
        """Nothing is charged here. The source records what is owed and how; the order waits
        in "Pending payment" until the money arrives: staff see a bank transfer arrive, and
        Stripe's webhook reports a card payment.

        For a card, Stripe's payment page is opened first: if Stripe cannot be reached, Oscar
        shows the message on the preview page and no order is placed."""
        method = payment_method(self.checkout_session.payment_method(), total.incl_tax)
        reference = order_number
        if method.code in STRIPE_METHODS:
            try:
                reference, self.card_payment_url = card_checkout_start(
                    order_number=order_number,
                    total=total,
                    method=method.code,
                    success_url=self.request.build_absolute_uri(reverse("checkout:thank-you")),
                    cancel_url=self.request.build_absolute_uri(reverse("basket:summary")),
                )
            except CardPaymentUnavailable as error:
                self.refusal_status = 503
                raise UnableToTakePayment(
                    "We couldn't reach our card payment provider, so your order has not been "
                    "placed. Please try again in a minute, or pay by bank transfer."
                ) from error
        source_type, _ = SourceType.objects.get_or_create(
            code=method.code, defaults={"name": method.label}
        )
        self.add_payment_source(
            Source(
                source_type=source_type,
                currency=total.currency,
                amount_allocated=total.incl_tax,
                reference=reference,
            )
        )

    def handle_successful_order(self, order):
        response = super().handle_successful_order(order)
        card_payment_url = getattr(self, "card_payment_url", None)
        # Card: on to Stripe's page; it sends the customer back to the thank-you page.
        return HttpResponseRedirect(card_payment_url) if card_payment_url else response

    # Oscar shows a refused order on the preview page with status 200. We say why in the
    # status too: 409 when the basket no longer matches the stock (the last unit sold a moment
    # ago), 503 when the card payment provider could not be reached.
    refusal_status = 409

    def render_preview(self, request, **kwargs):
        response = super().render_preview(request, **kwargs)
        if kwargs.get("error"):
            response.status_code = self.refusal_status
        return response

    def render_payment_details(self, request, **kwargs):
        # There are no payment details to enter here (Stripe takes the card on its own page):
        # a refused payment is explained on the preview, where the customer can choose again.
        return self.render_preview(request, **kwargs)

    def place_order(self, *args, **kwargs):
        """The order, its addresses and its payment source are written together or not at all.
        Oscar saves the shipping address before the order's own transaction, so an order
        refused there (the last unit sold a moment ago) left the customer's name, address and
        phone behind, belonging to no order."""
        with transaction.atomic():
            order = super().place_order(*args, **kwargs)
            # Who will wear it, for the health-fund part of the receipt (receipts/).
            wearer = self.checkout_session._get(*WEARER, "")
            if wearer:
                Wearer.objects.create(order=order, name=wearer)
            return order

    def get_initial_order_status(self, basket):
        return PENDING_PAYMENT

    def send_order_placed_email(self, order):
        # The worker sends it, after the order is committed, so a slow or refusing mail
        # server never fails or slows down the customer's checkout; nor does Redis being
        # down (the sweep sends what the order still owes).
        outbox.owe("order.confirmation", order.id)


class ThankYouView(views.ThankYouView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(order_message_context(self.object))
        return context


class _InvalidFormIs400:
    """Oscar re-renders an invalid checkout form with status 200; we answer 400 so that
    clients, tests and monitoring see the customer's input was refused (the page still shows
    every message and keeps what they typed)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class IndexView(_InvalidFormIs400, views.IndexView):
    def get_form_kwargs(self):
        # "I am a returning customer, and my password is": checked with the request (Oscar
        # passes none), so wrong passwords here are throttled like those of any login form.
        return {**super().get_form_kwargs(), "request": self.request}


class ShippingAddressView(_InvalidFormIs400, views.ShippingAddressView):
    def get_initial(self):
        initial = super().get_initial() or {}  # Oscar: None before an address is given
        return {**initial, "wearer_name": self.checkout_session._get(*WEARER, "")}

    def form_valid(self, form):
        self.checkout_session._set(*WEARER, form.cleaned_data["wearer_name"].strip())
        return super().form_valid(form)

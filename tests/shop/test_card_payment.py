"""Card payments through Stripe Checkout, tested against recorded Stripe responses (no network).

The real stripe library builds and signs every request and parses every answer; only its HTTP
transport is replaced, by one that answers as Stripe's API does."""

import json
from decimal import Decimal as D
from urllib.parse import parse_qs

import pytest
import stripe
from django.contrib.auth import get_user_model
from django.test import Client
from oscar.core.loading import get_model

from receipts.models import Document
from shop import payment
from tests.shop.checkout_steps import ADDRESS, add_to_basket

Order = get_model("order", "Order")

WEBHOOK_SECRET = "whsec_test_backcare"
STRIPE_PAGE = "https://checkout.stripe.com/c/pay/cs_test_a1B2c3"


class RecordedStripe(stripe.HTTPClient):
    """Answers like api.stripe.com did for these calls, and remembers what was sent."""

    name = "recorded"

    def __init__(self, status=200):
        super().__init__()
        self.status = status
        self.sent = []
        self.headers = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.sent.append((method, url, parse_qs(post_data or "")))
        self.headers.append(headers)
        if self.status != 200:
            error = {"error": {"type": "api_error", "message": "An unknown error occurred"}}
            return json.dumps(error), self.status, {}
        params = self.sent[-1][2]
        if url.endswith("/v1/refunds"):
            refund = {
                "id": "re_test_1",
                "object": "refund",
                "amount": int(params["amount"][0]),
                "currency": "aud",
                "payment_intent": params["payment_intent"][0],
                "status": "succeeded",
            }
            return json.dumps(refund), 200, {"request-id": "req_recorded_refund"}
        session = {
            "id": "cs_test_a1B2c3",
            "object": "checkout.session",
            "url": STRIPE_PAGE,
            "client_reference_id": params["client_reference_id"][0],
            "payment_status": "unpaid",
            "status": "open",
        }
        return json.dumps(session), 200, {"request-id": "req_recorded"}

    def close(self):
        pass


@pytest.fixture
def stripe_api(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_backcare"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    recorded = RecordedStripe()
    monkeypatch.setattr(
        payment,
        "stripe_client",
        lambda: stripe.StripeClient("sk_test_backcare", http_client=recorded),
    )
    return recorded


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _checkout_by_card(client, method="card"):
    add_to_basket(client, "LT-3-TIT")
    client.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})
    client.post("/checkout/shipping-address/", ADDRESS)
    client.post("/checkout/shipping-method/", {"method_code": "standard"})
    assert client.post("/checkout/payment-method/", {"method": method}).status_code == 302
    return client.post("/checkout/preview/", {"action": "place_order"})


def test_card_is_not_offered_without_a_stripe_key(client, demo, settings):
    settings.STRIPE_SECRET_KEY = ""
    add_to_basket(client, "LT-3-TIT")
    client.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})
    client.post("/checkout/shipping-address/", ADDRESS)
    client.post("/checkout/shipping-method/", {"method_code": "standard"})

    page = client.get("/checkout/payment-method/").content.decode()
    refused = client.post("/checkout/payment-method/", {"method": "card"})

    assert "Bank transfer" in page and "Credit or debit card" not in page
    assert refused.status_code == 400


def test_paying_by_card_places_a_pending_order_and_sends_the_customer_to_stripe(
    client, demo, stripe_api
):
    response = _checkout_by_card(client)

    assert response.status_code == 302 and response["Location"] == STRIPE_PAGE
    order = Order.objects.get()
    assert order.status == "Pending payment"
    method, url, sent = stripe_api.sent[0]
    assert (method, url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent["client_reference_id"] == [order.number]
    assert sent["line_items[0][price_data][unit_amount]"] == ["28995"]
    assert sent["line_items[0][price_data][currency]"] == ["aud"]
    assert order.sources.get().reference == "cs_test_a1B2c3"


def test_stripe_unreachable_places_no_order_and_says_so(client, demo, stripe_api):
    stripe_api.status = 401

    response = _checkout_by_card(client)

    assert response.status_code == 503
    assert "pay by bank transfer" in response.content.decode()
    assert Order.objects.count() == 0


def _webhook(client, order, *, amount=None, secret=WEBHOOK_SECRET, event_id="evt_1"):
    cents = int((amount if amount is not None else order.total_incl_tax) * 100)
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_test_a1B2c3",
                    "object": "checkout.session",
                    "client_reference_id": order.number,
                    "payment_status": "paid",
                    "amount_total": cents,
                    "currency": "aud",
                    "payment_intent": "pi_test_789",
                }
            },
        }
    )
    signature = stripe.WebhookSignature.generate_signature_header(body, secret)
    return client.post(
        "/checkout/stripe/webhook/",
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


def test_signed_webhook_marks_the_order_paid_exactly_once(client, demo, stripe_api):
    _checkout_by_card(client)
    order = Order.objects.get()

    first = _webhook(client, order)
    again = _webhook(client, order, event_id="evt_1")  # Stripe retries

    assert first.status_code == again.status_code == 200
    order.refresh_from_db()
    assert order.status == "Paid"
    assert order.payment_events.count() == 1
    assert order.payment_events.get().amount == D("289.95")
    assert order.sources.get().amount_debited == D("289.95")


def test_webhook_with_a_bad_signature_is_refused(client, demo, stripe_api):
    _checkout_by_card(client)
    order = Order.objects.get()

    response = _webhook(client, order, secret="whsec_someone_else")

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_webhook_for_a_different_amount_leaves_the_order_unpaid(client, demo, stripe_api):
    _checkout_by_card(client)
    order = Order.objects.get()

    response = _webhook(client, order, amount=D("1.00"))

    assert response.status_code == 200  # understood; Stripe must not retry it
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_webhook_is_not_found_when_card_payments_are_off(client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = client.post("/checkout/stripe/webhook/", "{}", content_type="application/json")

    assert response.status_code == 404


def test_afterpay_is_offered_within_its_limits_and_paid_on_stripes_page(client, demo, stripe_api):
    response = _checkout_by_card(client, method="afterpay")

    assert response.status_code == 302 and response["Location"] == STRIPE_PAGE
    _, _, sent = stripe_api.sent[0]
    assert sent["payment_method_types[0]"] == ["afterpay_clearpay"]
    order = Order.objects.get()
    assert order.sources.get().source_type.code == "afterpay"
    assert _webhook(client, order).status_code == 200
    order.refresh_from_db()
    assert order.status == "Paid"


def test_afterpay_is_not_offered_over_two_thousand_dollars(client, demo, stripe_api):
    for sku in ("LT-2-TIT", "LT-3-TIT", "LT-4-TIT", "LT-5-TIT") * 2:  # 8 × $289.95
        add_to_basket(client, sku)
    client.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})
    client.post("/checkout/shipping-address/", ADDRESS)
    client.post("/checkout/shipping-method/", {"method_code": "standard"})

    page = client.get("/checkout/payment-method/").content.decode()
    refused = client.post("/checkout/payment-method/", {"method": "afterpay"})

    assert "Credit or debit card" in page and "Afterpay" not in page
    assert refused.status_code == 400


def _paid_by_card(client, stripe_api):
    _checkout_by_card(client)
    order = Order.objects.get()
    _webhook(client, order)
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))
    return order, manager


def test_a_card_refund_goes_back_through_stripe_with_its_credit_note(
    client, demo, stripe_api, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    order, manager = _paid_by_card(client, stripe_api)

    response = manager.post(
        f"/dashboard/orders/{order.number}/refund/", {"other_amount": "20.00", "reason": "Late"}
    )

    assert response.status_code == 302
    method, url, sent = stripe_api.sent[-1]
    assert url == "https://api.stripe.com/v1/refunds"
    assert sent == {"payment_intent": ["pi_test_789"], "amount": ["2000"]}
    assert stripe_api.headers[-1]["Idempotency-Key"] == "refund-CN-000001"
    source = order.sources.get()
    assert source.amount_refunded == D("20.00")
    assert source.transactions.get(txn_type="Refund").status == "re_test_1"


def test_a_card_refund_stripe_refuses_records_nothing_and_says_so(
    client, demo, stripe_api, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    order, manager = _paid_by_card(client, stripe_api)
    stripe_api.status = 500

    response = manager.post(
        f"/dashboard/orders/{order.number}/refund/", {"other_amount": "20.00", "reason": "Late"}
    )

    assert response.status_code == 400
    assert "Stripe could not refund it just now" in response.content.decode()
    assert 'value="Late"' in response.content.decode()
    assert not Document.objects.credit_notes().exists()
    assert order.sources.get().amount_refunded == D("0.00")

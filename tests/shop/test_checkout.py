"""A guest buys the LumboTrain by bank transfer: GST shown, stock allocated, one e-mail."""

from decimal import Decimal as D

import pytest
from django.core import mail
from oscar.core.loading import get_model

from core.outbox import deliver
from core.tasks import send_owed_email
from tests.shop.checkout_steps import ADDRESS, add_to_basket, checkout_as_guest, place_order
from tests.waiting import wait_for

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def test_guest_checkout_with_bank_transfer_places_a_pending_order(
    client, demo, django_capture_on_commit_callbacks
):
    size_3 = add_to_basket(client, "LT-3-TIT")
    preview = checkout_as_guest(client)
    assert preview.status_code == 200
    assert "Bank transfer" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = place_order(client)

    assert response.status_code == 302 and response["Location"] == "/checkout/thank-you/"
    order = Order.objects.get()
    assert order.status == "Pending payment"
    assert order.guest_email == "mia@example.com.au"
    assert order.total_incl_tax == D("289.95") + D("0.00")  # free delivery above $150
    assert order.total_tax == D("26.36")
    assert order.shipping_address.state == "NSW"
    assert order.shipping_address.phone_number.as_e164 == "+61412345678"
    assert StockRecord.objects.get(product=size_3).num_allocated == 1
    assert len(callbacks) == 1, "exactly one e-mail task, queued after the commit"

    thank_you = client.get(response["Location"]).content.decode()
    assert order.number in thank_you
    assert "Includes GST of" in thank_you and "$26.36" in thank_you
    assert "BSB" in thank_you and "062-000" in thank_you


def test_small_order_pays_for_standard_delivery_with_gst(client, demo):
    add_to_basket(client, "VISCOSPOT")  # $59.95, below the free-delivery threshold
    checkout_as_guest(client)
    place_order(client)

    order = Order.objects.get()
    assert order.shipping_incl_tax == D("9.95")
    assert order.shipping_tax == D("0.90")
    assert order.total_incl_tax == D("69.90")
    assert order.total_tax == D("5.45") + D("0.90")


def test_express_delivery_is_charged_even_on_big_orders(client, demo):
    add_to_basket(client, "LT-3-TIT")
    checkout_as_guest(client, method="express")
    place_order(client)

    assert Order.objects.get().shipping_incl_tax == D("19.95")


def test_order_confirmation_is_sent_once_even_when_the_task_runs_twice(client, demo):
    add_to_basket(client, "LT-3-TIT")
    checkout_as_guest(client)
    place_order(client)
    order = Order.objects.get()

    assert deliver(kind="order.confirmation", pk=order.id) is True
    assert deliver(kind="order.confirmation", pk=order.id) is False
    send_owed_email.apply(args=["order.confirmation", order.id])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia@example.com.au"]
    assert order.number in message.subject
    assert "Includes GST of       $26.36" in message.body
    assert "BSB:            062-000" in message.body
    assert f"Reference:      {order.number}" in message.body
    html = message.alternatives[0][0]
    assert "$26.36" in html and "062-000" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "3000", "3000 is not a New South Wales postcode"),
        ("postcode", "20000", "Enter a 4-digit Australian postcode"),
        ("state", "", "This field is required"),
        ("state", "XYZ", "Select a valid choice"),
        ("phone_number", "+44 20 7946 0958", "phone number"),
        ("phone_number", "", "This field is required"),
        ("line1", "", "This field is required"),
        ("first_name", "x" * 300, "at most 255 characters"),
    ],
)
def test_bad_address_is_refused_with_a_message_and_keeps_what_was_typed(
    client, demo, field, value, message
):
    add_to_basket(client, "LT-3-TIT")
    client.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})

    response = client.post("/checkout/shipping-address/", {**ADDRESS, field: value})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Sydney"' in html, "what the customer typed is still in the form"
    if field != "state":  # a select keeps its options; the others show the bad value back
        assert f'value="{value}"' in html


def test_a_real_worker_sends_the_confirmation_after_the_order_commits(
    client, celery_worker, load_demo
):
    # given the demo catalogue, committed, and a worker consuming the configured Redis
    load_demo()
    add_to_basket(client, "LT-3-TIT")
    checkout_as_guest(client)

    # when the order is placed (the task is queued on commit, never inside the transaction)
    place_order(client)

    # then the worker sends exactly one confirmation
    order = Order.objects.get()
    # (the e-mail is in the outbox a moment before the worker's transaction, which records
    # it as sent, commits: wait for the record)
    sent = order.communication_events.filter(event_type__code="ORDER_PLACED")
    wait_for(lambda: sent.exists())
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert sent.count() == 1


def test_registered_customer_checks_out_and_finds_the_order_in_their_account(client, demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="mia", email="mia@example.com.au", password="a-long-password-123"
    )
    client.force_login(user)
    add_to_basket(client, "GENUTRAIN")

    assert client.get("/checkout/")["Location"] == "/checkout/shipping-address/"
    assert client.post("/checkout/shipping-address/", ADDRESS).status_code == 302
    client.post("/checkout/shipping-method/", {"method_code": "standard"})
    client.post("/checkout/payment-method/", {"method": "bank-transfer"})
    assert place_order(client).status_code == 302

    order = Order.objects.get()
    assert order.user == user
    assert order.number in client.get("/accounts/orders/").content.decode()


def test_staff_find_the_order_and_its_email_in_the_dashboard(client, demo, admin_user):
    add_to_basket(client, "GENUTRAIN")
    checkout_as_guest(client)
    place_order(client)
    order = Order.objects.get()
    deliver(kind="order.confirmation", pk=order.id)

    client.force_login(admin_user)
    listing = client.get("/dashboard/orders/").content.decode()
    detail = client.get(f"/dashboard/orders/{order.number}/").content.decode()

    assert order.number in listing
    assert "Pending payment" in detail
    assert "Order placed" in detail  # the confirmation e-mail, recorded against the order

"""Steps the receipts tests share: an order bought by bank transfer, marked paid by the shop
manager as in the dashboard, and a PDF's text read back as a customer's PDF reader would."""

import io
import threading

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from oscar.core.loading import get_model
from pypdf import PdfReader

from shop.payment import PAID
from tests.shop.checkout_steps import ADDRESS, add_to_basket, checkout_as_guest, place_order

Order = get_model("order", "Order")


def order_placed(client, email="mia@example.com.au") -> Order:
    """A LumboTrain size 3 bought by bank transfer: as a guest, or as the signed-in client."""
    add_to_basket(client, "LT-3-TIT")
    if "_auth_user_id" in client.session:
        for step, data in [
            ("shipping-address", ADDRESS),
            ("shipping-method", {"method_code": "standard"}),
            ("payment-method", {"method": "bank-transfer"}),
        ]:
            assert client.post(f"/checkout/{step}/", data).status_code == 302, step
    else:
        checkout_as_guest(client, email=email)
    assert place_order(client).status_code == 302
    return Order.objects.latest("pk")


def mark_paid_in_the_dashboard(order):
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))
    response = manager.post(
        f"/dashboard/orders/{order.number}/",
        {"order_action": "change_order_status", "new_status": PAID},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == PAID


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def at_once(calls):
    """Each call in its own thread with its own connection, all released together. Returns
    what each call raised (in no order)."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        barrier.wait()
        try:
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors

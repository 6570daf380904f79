"""A paid order's tax invoice and receipt (receipts/): numbered from a gapless sequence when the
order is paid, made once as a PDF and stored, e-mailed once, downloaded by its owner and staff
only, with the GST, delivery on its own line, the ABN and a part for the health fund."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.checks import Error, Warning
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from consultations.services import recommendation_order_record, recommendation_save
from core.clock import now
from core.outbox import deliver
from receipts.abn import abn_is_valid
from receipts.checks import business_abn
from receipts.models import Document
from receipts.services import invoice_issue
from shop.payment import PAID
from shop.services import order_payment_received
from tests.factories import BookingFactory, EnquiryFactory, ExpertFactory
from tests.receipts.steps import at_once, mark_paid_in_the_dashboard, order_placed, pdf_text
from tests.shop.checkout_steps import ADDRESS, add_to_basket, checkout_as_guest, place_order

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")


def test_the_abn_is_checked_with_its_checksum(settings):
    assert abn_is_valid("51 824 753 556")  # the ATO's published example
    assert not abn_is_valid("51 824 753 557") and not abn_is_valid("") and not abn_is_valid("1")

    settings.BUSINESS_ABN = "51 824 753 557"
    settings.PRODUCTION = False
    assert [type(m) for m in business_abn(None)] == [Warning]
    settings.PRODUCTION = True
    assert [type(m) for m in business_abn(None)] == [Error]
    settings.BUSINESS_ABN = "51824753556"
    assert business_abn(None) == []


def test_a_bank_transfer_marked_paid_gets_its_tax_invoice_by_email_and_on_its_page(demo):
    customer = Client()
    order = order_placed(customer)
    assert not Document.objects.exists()  # not paid yet: no invoice, no number used
    status_page = f"/accounts/order-status/{order.number}/{order.verification_hash()}/"
    form = f"/accounts/order-status-form/{order.number}/{order.verification_hash()}/"
    asked = customer.get(form).content.decode()
    assert f"<h1>Your order {order.number}</h1>" in asked and "Show my order" in asked
    assert customer.post(form, {"email": "mia@example.com.au"}).status_code == 302  # Oscar's
    assert "once the order is paid" in customer.get(status_page).content.decode()

    mark_paid_in_the_dashboard(order)
    invoice = Document.objects.get(order=order)
    deliver(kind="order.tax_invoice", pk=invoice.pk)

    message = mail.outbox[-1]
    assert message.to == ["mia@example.com.au"]
    assert invoice.display_number in message.subject
    [(filename, attached, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"tax-invoice-{invoice.display_number}.pdf", "application/pdf")
    text = pdf_text(attached)
    for expected in (
        "Tax invoice", "ABN 51 824 753 556", invoice.display_number, order.number,
        "size 3", "LT-3-TIT", "Total price includes GST of $", "Delivery (",
        "For your health fund", "Worn by Mia Nguyen", "Orthopaedic support / aids and appliances",
        "Paid by Bank transfer",
    ):  # fmt: skip
        assert expected in text, expected
    assert f"GST of ${order.total_tax:,.2f}" in text

    # the same bytes from the order's page, every time; nobody else gets them
    page = customer.get(status_page).content.decode()
    download = f"{status_page}tax-invoice/"
    assert f'href="{download}"' in page
    assert customer.get(download).content == attached
    assert Client().get(download).status_code == 404  # the link alone, without the address
    tampered = f"/accounts/order-status/{order.number}/{order.verification_hash()}x/tax-invoice/"
    assert Client().get(tampered).status_code == 404
    assert Client().get("/accounts/order-status/999999/made-up/tax-invoice/").status_code == 404
    Document.objects.filter(pk=invoice.pk).update(sent_at=None)
    deliver(kind="order.tax_invoice", pk=invoice.pk)
    assert mail.outbox[-1].attachments[0][1] == attached  # stored, not made again


def test_the_wearer_named_at_checkout_is_on_the_receipt_and_kept_through_a_mistake(demo):
    customer = Client()
    add_to_basket(customer, "LT-3-TIT")
    customer.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})
    refused = customer.post(
        "/checkout/shipping-address/", {**ADDRESS, "postcode": "3000", "wearer_name": "Sam Nguyen"}
    )
    assert refused.status_code == 400 and 'value="Sam Nguyen"' in refused.content.decode()
    checkout_as_guest(customer, address={**ADDRESS, "wearer_name": "Sam Nguyen"})
    assert place_order(customer).status_code == 302
    order = Order.objects.latest("pk")

    mark_paid_in_the_dashboard(order)
    deliver(kind="order.tax_invoice", pk=Document.objects.get(order=order).pk)

    assert "Worn by Sam Nguyen" in pdf_text(mail.outbox[-1].attachments[0][1])


def test_the_receipt_names_the_expert_and_the_enquiry_the_order_followed(demo):
    customer = Client()
    customer.force_login(
        get_user_model().objects.create_user("mia", "mia@example.com.au", "pw-long-enough-1")
    )
    enquiry = EnquiryFactory(
        email="mia@example.com.au", product=Product.objects.get(upc="LUMBOTRAIN")
    )
    order = order_placed(customer)
    dana = ExpertFactory(display_name="Dana Fitter", provider_number="AB12345")
    call = BookingFactory(confirmed=True, expert=dana, starts_at=now())
    size = Product.objects.get(upc="LT-3-TIT")
    recommendation_save(booking_id=call.pk, items=[(size.pk, 1)], note="", by=dana.user)
    recommendation_order_record(booking_id=call.pk, order_id=order.pk)

    mark_paid_in_the_dashboard(order)
    invoice = Document.objects.get(order=order)
    text = pdf_text(customer.get(f"/accounts/orders/{order.number}/tax-invoice/").content)

    assert "Fitted by Dana Fitter (provider number AB12345)" in text
    assert f"Our enquiry ref. {enquiry.reference}" in text
    assert invoice.number == 1


def test_a_card_payment_issues_the_invoice_and_numbers_have_no_gap(demo):
    first, second = (
        order_placed(Client(), "one@example.com"),
        order_placed(Client(), "two@example.com"),
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_issue(order_id=first.pk)
        raise RuntimeError("the transaction that recorded it failed")
    assert not Document.objects.exists()  # its number was given back

    assert order_payment_received(
        order_number=first.number, amount=first.total_incl_tax, currency="AUD", reference="pi_1"
    )
    mark_paid_in_the_dashboard(second)
    assert invoice_issue(order_id=first.pk).number == 1  # asked again: the same invoice
    numbers = list(Document.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]
    first.refresh_from_db()
    assert first.status == PAID and first.status_changes.filter(new_status=PAID).exists()


def test_only_the_owner_and_the_shop_staff_get_an_accounts_invoice(demo):
    owner = get_user_model().objects.create_user("kim", "kim@example.com", "pw-long-enough-1")
    customer = Client()
    customer.force_login(owner)
    order = order_placed(customer, "kim@example.com")
    assert order.user == owner
    mark_paid_in_the_dashboard(order)
    path = f"/accounts/orders/{order.number}/tax-invoice/"

    assert customer.get(f"/accounts/orders/{order.number}/").status_code == 200
    assert path in customer.get(f"/accounts/orders/{order.number}/").content.decode()
    assert customer.get(path)["Content-Type"] == "application/pdf"  # made and stored
    with CaptureQueriesContext(connection) as queries:
        assert customer.get(path)["Content-Type"] == "application/pdf"
    checks = [q["sql"] for q in queries if "django_session" not in q["sql"]]
    checks = [sql for sql in checks if 'FROM "auth_user"' not in sql]
    assert len(checks) == 1, checks  # the stored PDF: one query for the check, then the file
    other = Client()
    other.force_login(get_user_model().objects.create_user("eve", "eve@example.com", "pw-123456x"))
    assert other.get(path).status_code == 404
    assert other.get("/accounts/orders/999999/tax-invoice/").status_code == 404

    staff_path = f"/dashboard/orders/{order.number}/tax-invoice/"
    for email, status in [("shop@example.com", 200), ("editor@example.com", 403)]:
        staff = Client()
        staff.force_login(get_user_model().objects.get(email=email))
        assert staff.get(staff_path).status_code == status, email
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))
    invoice = Document.objects.get(order=order)
    Document.objects.filter(pk=invoice.pk).update(sent_at=now())
    assert manager.post(staff_path).status_code == 302  # "E-mail it to the customer again"
    viewer = get_user_model().objects.create_user("v", "viewer@example.com", "pw-123456x")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    looking = Client()
    looking.force_login(viewer)
    assert looking.get(staff_path).status_code == 200
    assert looking.post(staff_path).status_code == 403  # sending is a change to the order
    assert Document.objects.get(pk=invoice.pk).sent_at is None  # owed again: the outbox sends


@pytest.mark.postgres
def test_twenty_orders_paid_at_once_get_twenty_consecutive_numbers(committed_demo):
    orders = [order_placed(Client(), f"buyer{n}@example.com") for n in range(20)]

    paying = [lambda o=order: Order.objects.get(pk=o.pk).set_status(PAID) for order in orders]
    assert not at_once(paying)

    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert Document.objects.values("order").distinct().count() == 20


@pytest.mark.postgres
def test_one_order_paid_twice_at_once_gets_one_invoice_and_no_number_is_lost(committed_demo):
    order, later = (
        order_placed(Client(), "one@example.com"),
        order_placed(Client(), "two@example.com"),
    )

    assert not at_once([lambda: invoice_issue(order_id=order.pk)] * 2)
    invoice_issue(order_id=later.pk)

    assert list(Document.objects.order_by("number").values_list("order", "number")) == [
        (order.pk, 1),
        (later.pk, 2),
    ]


def test_an_invoice_whose_worker_died_is_made_and_sent_by_the_sweep(demo, clock, monkeypatch):
    from core import outbox

    clock.set(now().replace(microsecond=0))
    order = order_placed(Client())
    mark_paid_in_the_dashboard(order)  # numbered; the worker that was to make it never ran
    invoice = Document.objects.get(order=order)
    assert not invoice.pdf and invoice.sent_at is None
    queued = []
    monkeypatch.setattr(
        outbox, "enqueue_last_try", lambda task, kind, pk: queued.append((kind, pk)) or 1
    )

    clock.move(seconds=outbox.SWEEP_GRACE_SECONDS + 1)
    outbox.sweep()

    assert ("order.tax_invoice", invoice.pk) in queued
    deliver(kind="order.tax_invoice", pk=invoice.pk)  # what the queued task does
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.sent_at is not None
    assert "Tax invoice" in pdf_text(mail.outbox[-1].attachments[0][1])
    assert list(Document.objects.values_list("number", flat=True)) == [1]  # no number lost


def test_a_correction_is_a_new_version_that_replaces_the_sent_one_which_stays_as_it_was(demo):
    order = order_placed(Client())
    mark_paid_in_the_dashboard(order)
    first = Document.objects.get(order=order)
    deliver(kind="order.tax_invoice", pk=first.pk)
    sent = mail.outbox[-1].attachments[0][1]
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))

    staff_path = f"/dashboard/orders/{order.number}/tax-invoice/"
    assert manager.post(staff_path, {"action": "reissue"}).status_code == 302

    second = Document.objects.get(order=order, version=2)
    assert (second.number, second.replaces) == (first.number, first)
    deliver(kind="order.tax_invoice", pk=second.pk)
    message = mail.outbox[-1]
    assert f"{second.display_number}, attached as a PDF, replaces {first.display_number}" in (
        message.body
    )
    text = pdf_text(message.attachments[0][1])
    assert f"This replaces tax invoice {first.display_number}." in text
    assert manager.get(staff_path).content == message.attachments[0][1]  # the current one
    first.refresh_from_db()
    with first.pdf.open("rb") as stored:
        assert stored.read() == sent  # the old version is kept as it was sent
    assert list(Document.objects.values_list("number", flat=True).distinct()) == [first.number]


def test_the_invoice_benchmark_still_makes_an_invoice():
    """bench/invoice.py times the layout on data of its own: kept in step with the layout."""
    from bench.invoice import CONTEXT
    from receipts.layout import invoice_pdf

    assert "Tax invoice" in pdf_text(invoice_pdf(CONTEXT))

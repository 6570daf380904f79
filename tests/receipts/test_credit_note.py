"""Refunds from the order's dashboard page make credit notes (receipts/): numbered in their own
gapless sequence, referring to the tax invoice, with negative amounts and GST, e-mailed once
and downloadable like the invoice; never more than is left to refund, and what staff typed
stays on the page when a refund is refused."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from core.outbox import deliver
from receipts.models import Document
from receipts.services import RefundRefused, credit_note_issue
from tests.receipts.steps import at_once, mark_paid_in_the_dashboard, order_placed, pdf_text


@pytest.fixture
def manager():
    client = Client()
    client.force_login(get_user_model().objects.get(email="shop@example.com"))
    return client


@pytest.fixture
def paid(demo):
    """A guest's order, paid, its invoice sent; and the guest's browser, on its status page."""
    customer = Client()
    order = order_placed(customer)
    mark_paid_in_the_dashboard(order)
    invoice = Document.objects.get(order=order)
    deliver(kind="order.tax_invoice", pk=invoice.pk)
    form = f"/accounts/order-status-form/{order.number}/{order.verification_hash()}/"
    assert customer.post(form, {"email": order.email}).status_code == 302  # Oscar's form
    return order, invoice, customer


def _refund(manager, order, **data):
    return manager.post(f"/dashboard/orders/{order.number}/refund/", {"reason": "", **data})


def test_a_partial_refund_makes_a_credit_note_with_negative_amounts_and_gst(paid, manager):
    order, invoice, customer = paid
    line = order.lines.get()
    page = manager.get(f"/dashboard/orders/{order.number}/")
    assert f'href="/dashboard/orders/{order.number}/refund/"' in page.content.decode()
    form = manager.get(f"/dashboard/orders/{order.number}/refund/").content.decode()
    assert f"Quantity to refund: {line.title}" in form
    assert order.shipping_incl_tax == 0 and "Refund delivery" not in form  # it was free

    response = _refund(manager, order, other_amount="20.00", reason="Goodwill: late delivery")

    note = Document.objects.get(kind=Document.Kind.CREDIT_NOTE)
    assert response.status_code == 302
    assert (note.number, note.display_number, note.invoice) == (1, "CN-000001", invoice)
    assert note.amount == Decimal("20.00")
    shown = manager.get(response["Location"]).content.decode()
    assert "Credit note CN-000001 for $20.00 is being e-mailed" in shown
    assert "Credit note CN-000001 (PDF)" in shown
    deliver(kind="order.credit_note", pk=note.pk)
    message = mail.outbox[-1]
    assert (message.to, message.subject) == (
        [order.email],
        f"Your credit note CN-000001 for order {order.number}",
    )
    assert f"We are refunding $20.00 of order {order.number}" in message.body
    [(filename, attached, _)] = message.attachments
    assert filename == "credit-note-CN-000001.pdf"
    text = pdf_text(attached)
    for expected in (
        "Credit note", "CN-000001", f"Tax invoice {invoice.display_number}", order.number,
        "ABN 51 824 753 556", "Other amount refunded", "-$20.00",
        "Total credited includes GST of -$1.82", "Reason Goodwill: late delivery",
        "Refunded the way it was paid: Bank transfer",
    ):  # fmt: skip
        assert expected in text, expected

    # the same bytes for the guest, on the order's status page; nobody else gets them
    status_page = f"/accounts/order-status/{order.number}/{order.verification_hash()}/"
    download = f"{status_page}credit-notes/CN-000001/"
    assert f'href="{download}"' in customer.get(status_page).content.decode()
    assert customer.get(download).content == attached
    assert Client().get(download).status_code == 404
    assert customer.get(f"{status_page}credit-notes/CN-000002/").status_code == 404
    assert customer.get(f"{status_page}credit-notes/INV-000001/").status_code == 404
    # recorded on the order, as Oscar's dashboard shows refunds
    assert order.payment_events.get(event_type__name="Refunded").amount == Decimal("20.00")
    assert order.notes.filter(message__contains="credit note CN-000001").exists()


def test_lines_and_delivery_refunded_in_parts_add_up_to_what_was_paid(paid, manager):
    order, invoice, _ = paid
    line = order.lines.get()
    # three units for $100.00 (GST $9.09), and $9.95 delivery (GST $0.90)
    line.quantity, line.line_price_incl_tax = 3, Decimal("100.00")
    line.line_price_excl_tax = Decimal("90.91")
    line.save()
    order.shipping_incl_tax, order.shipping_excl_tax = Decimal("9.95"), Decimal("9.05")
    order.total_incl_tax, order.total_excl_tax = Decimal("109.95"), Decimal("99.96")
    order.save()

    _refund(manager, order, **{f"line_{line.pk}": "1", "reason": "One too many"})
    _refund(manager, order, **{f"line_{line.pk}": "2", "delivery": "on", "reason": "Returned"})

    first, second = Document.objects.credit_notes()
    assert [first.number, second.number] == [1, 2]
    assert first.amount == Decimal("33.33")
    assert first.amount + second.amount == order.total_incl_tax  # the whole order, to the cent
    assert Decimal(first.content["gst"]) + Decimal(second.content["gst"]) == order.total_tax
    second_pdf = manager.get(f"/dashboard/orders/{order.number}/credit-notes/CN-000002/")
    text = pdf_text(second_pdf.content)
    assert "Delivery (" in text and "-$9.95" in text

    refused = _refund(manager, order, other_amount="0.01", reason="Once more")
    assert refused.status_code == 400
    assert "but only $0.00 of this order is left to refund" in refused.content.decode()
    assert Document.objects.credit_notes().count() == 2


def test_a_refund_that_cannot_be_made_says_why_keeps_what_was_typed_and_records_nothing(
    paid, manager
):
    order, _, _ = paid
    line = order.lines.get()
    for data, says in [
        ({"other_amount": "100000", "reason": "Too much"}, "of this order is left to refund"),
        ({f"line_{line.pk}": "5", "reason": "Too many"}, "less than or equal to 1"),
        ({"other_amount": "-5", "reason": "Negative"}, "greater than or equal to 0.01"),
        ({"other_amount": "ten", "reason": "Not a number"}, "Enter a number"),
        ({"reason": "Nothing chosen"}, "Choose what to refund"),
        ({"other_amount": "5"}, "Say why: the reason is printed on the credit note."),
    ]:
        response = _refund(manager, order, **data)
        page = response.content.decode()
        assert response.status_code == 400, data
        assert says in page, (data, page[page.find("alert") : page.find("alert") + 300])
        if data.get("reason"):
            assert f'value="{data["reason"]}"' in page
    assert not Document.objects.credit_notes().exists()
    assert not order.payment_events.filter(event_type__name="Refunded").exists()


def test_only_the_shop_manager_refunds_and_only_a_paid_order(demo, manager):
    order = order_placed(Client())
    refund_page = f"/dashboard/orders/{order.number}/refund/"
    assert manager.get(refund_page).status_code == 404  # not paid: nothing to refund
    mark_paid_in_the_dashboard(order)
    assert manager.get(refund_page).status_code == 200
    for email in ("editor@example.com", "officer@example.com", "lead@example.com"):
        staff = Client()
        staff.force_login(get_user_model().objects.get(email=email))
        assert staff.get(refund_page).status_code == 403, email
        assert staff.post(refund_page, {"other_amount": "5", "reason": "x"}).status_code == 403
    assert Client().get(refund_page).status_code == 302  # to the dashboard's sign-in
    assert manager.get("/dashboard/orders/999999/refund/").status_code == 404
    assert not Document.objects.credit_notes().exists()


@pytest.mark.postgres
def test_two_refunds_at_once_never_credit_more_than_was_paid(committed_demo):
    order = order_placed(Client())
    mark_paid_in_the_dashboard(order)
    staff = get_user_model().objects.get(email="shop@example.com")
    half_and_more = order.total_incl_tax / 2 + 1

    def refund():
        credit_note_issue(
            order_id=order.pk, quantities={}, delivery=False, other=half_and_more,
            reason="At once", user=staff,
        )  # fmt: skip

    errors = at_once([refund, refund])

    assert [type(error) for error in errors] == [RefundRefused]
    assert list(Document.objects.credit_notes().values_list("number", flat=True)) == [1]

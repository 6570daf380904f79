"""Exchanges and returns (shop/returns.py): a customer asks from the order's page within the
returns window, an exchange holds the new size's unit at once, each step is e-mailed once,
staff move a request on and the stock follows; what cannot be asked is refused with a clear
message and nothing recorded."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from core.clock import now as clock_now
from core.outbox import deliver
from receipts.models import Document
from shop.models import ReturnRequest, ReturnStep
from shop.returns import ReturnRefused, return_request, return_step
from tests.receipts.steps import at_once, mark_paid_in_the_dashboard, order_placed
from tests.shop.checkout_steps import add_to_basket

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Status = ReturnRequest.Status


def _stock(sku):
    record = StockRecord.objects.get(partner_sku=sku)
    return record.num_in_stock, record.num_allocated or 0


def _shipped(order):
    mark_paid_in_the_dashboard(order)
    order = Order.objects.get(pk=order.pk)
    order.set_status("Being processed")
    order.set_status("Shipped")
    return order


@pytest.fixture
def guest(demo):
    """A guest's LumboTrain size 3 (titanium), paid and sent; their browser on its page."""
    customer = Client()
    order = _shipped(order_placed(customer))
    form = f"/accounts/order-status-form/{order.number}/{order.verification_hash()}/"
    assert customer.post(form, {"email": order.email}).status_code == 302
    status_page = f"/accounts/order-status/{order.number}/{order.verification_hash()}/"
    return order, customer, status_page


def _ask(customer, status_page, line, **data):
    fields = {"kind": "exchange", "quantity": "1", "reason": "too-small", "note": "", **data}
    return customer.post(f"{status_page}return/?line={line.pk}", fields)


def _replacement(sku="LT-4-TIT"):
    return str(StockRecord.objects.get(partner_sku=sku).pk)


def test_a_guest_exchanges_a_size_and_the_new_size_is_held_at_once(guest):
    order, customer, status_page = guest
    line = order.lines.get()
    page = customer.get(status_page).content.decode()
    form_url = f"{status_page}return/?line={line.pk}"
    assert f'href="{form_url}"' in page and "Exchange or return" in page
    form = customer.get(form_url).content.decode()
    assert "Sold out now: LumboTrain Back Support, size 1, titanium;" in form  # not offered
    assert ">LumboTrain Back Support, size 1, titanium</option>" not in form
    before = _stock("LT-4-TIT")

    response = _ask(customer, status_page, line, replacement=_replacement(), note="Tight")

    request = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == status_page
    assert (request.kind, request.status, request.replacement.partner_sku) == (
        "exchange", "requested", "LT-4-TIT",
    )  # fmt: skip
    assert _stock("LT-4-TIT") == (before[0], before[1] + 1)  # held, not yet sent
    shown = customer.get(status_page).content.decode()
    assert f"We have your request {request.reference}" in shown
    assert (
        f"{request.reference}: exchange for another size or colour" in shown
        and "Requested" in shown
    )
    deliver(kind="order.return_step", pk=ReturnStep.objects.get().pk)
    message = mail.outbox[-1]
    assert message.to == [order.email]
    assert (
        message.subject == f"Your exchange {request.reference} for order {order.number}: requested"
    )
    assert "for LumboTrain Back Support, size 4, titanium. We are holding one for you" in (
        message.body
    )


def test_staff_steps_move_the_stock_and_each_is_emailed_once(guest):
    order, customer, status_page = guest
    _ask(customer, status_page, order.lines.get(), replacement=_replacement())
    manager = get_user_model().objects.get(email="shop@example.com")
    request = ReturnRequest.objects.get()
    returned, replacement = _stock("LT-3-TIT"), _stock("LT-4-TIT")

    return_step(request_id=request.pk, status=Status.APPROVED, by=manager)
    return_step(request_id=request.pk, status=Status.RECEIVED, by=manager)
    assert _stock("LT-3-TIT") == (returned[0] + 1, returned[1])  # back on the shelf
    return_step(request_id=request.pk, status=Status.EXCHANGED, by=manager)
    assert _stock("LT-4-TIT") == (replacement[0] - 1, replacement[1] - 1)  # sent

    steps = list(ReturnStep.objects.values_list("status", "by__email"))
    assert steps == [
        ("requested", None), ("approved", "shop@example.com"),
        ("received", "shop@example.com"), ("exchanged", "shop@example.com"),
    ]  # fmt: skip
    for step in ReturnStep.objects.all():
        deliver(kind="order.return_step", pk=step.pk)
        deliver(kind="order.return_step", pk=step.pk)  # once only
    subjects = [m.subject.rsplit(": ", 1)[1] for m in mail.outbox[-4:]]
    assert subjects == ["requested", "approved", "item received", "exchanged"]
    assert "Please post 1 × LumboTrain Back Support, size 3, titanium to: Level 2" in (
        mail.outbox[-3].body
    )
    with pytest.raises(ReturnRefused, match="cannot be marked refunded now"):
        return_step(request_id=request.pk, status=Status.REFUNDED, by=manager)


def test_a_rejected_exchange_gives_the_held_unit_back_and_says_why(guest):
    order, customer, status_page = guest
    _ask(customer, status_page, order.lines.get(), replacement=_replacement())
    manager = get_user_model().objects.get(email="shop@example.com")
    request = ReturnRequest.objects.get()
    held = _stock("LT-4-TIT")

    with pytest.raises(ReturnRefused, match="Say why"):
        return_step(request_id=request.pk, status=Status.REJECTED, by=manager)
    return_step(request_id=request.pk, status=Status.REJECTED, by=manager, message="Worn")

    assert _stock("LT-4-TIT") == (held[0], held[1] - 1)
    deliver(kind="order.return_step", pk=ReturnStep.objects.last().pk)
    assert (
        f"We cannot accept {request.reference} for LumboTrain Back Support, size 3, titanium: Worn."
        in (mail.outbox[-1].body)
    )


def test_what_cannot_be_asked_is_refused_with_what_was_typed_kept(guest, clock):
    order, customer, status_page = guest
    line = order.lines.get()
    for data, says in [
        ({"quantity": "2", "replacement": _replacement()}, "less than or equal to 1"),
        ({}, "Choose the size or colour you would like instead."),
        ({"replacement": _replacement("LT-1-TIT")}, "Select a valid choice"),  # sold out
        ({"replacement": "999999"}, "Select a valid choice"),
        ({"kind": "swap"}, "Select a valid choice"),
    ]:
        response = _ask(customer, status_page, line, note="Keep me", **data)
        assert response.status_code == 400, data
        page = response.content.decode()
        assert says in page and "Keep me</textarea>" in page, (data, says)
    assert not ReturnRequest.objects.exists()

    clock.set(clock_now() + timedelta(days=31))  # the window has closed (30 days from dispatch)
    form = f"/accounts/order-status-form/{order.number}/{order.verification_hash()}/"
    assert customer.post(form, {"email": order.email}).status_code == 302  # a new session
    late = _ask(customer, status_page, line, kind="return", reason="changed-mind")
    assert late.status_code == 400 and "The 30 days for a change of mind ended on" in (
        late.content.decode()
    )
    assert "always repaired, replaced or refunded" in late.content.decode()
    assert not ReturnRequest.objects.exists()


def test_another_visitor_a_made_up_line_or_an_unsent_order_get_nothing(guest):
    order, customer, status_page = guest
    line = order.lines.get()
    assert _ask(Client(), status_page, line, replacement=_replacement()).status_code == 404
    assert customer.get(f"{status_page}return/?line=999999").status_code == 404
    assert customer.get(f"{status_page}return/?line=x").status_code == 404
    tampered = status_page.replace(order.verification_hash(), order.verification_hash() + "x")
    assert customer.get(f"{tampered}return/?line={line.pk}").status_code == 404

    unsent = order_placed(Client(), "two@example.com")
    mark_paid_in_the_dashboard(unsent)
    with pytest.raises(ReturnRefused, match="has not been sent yet"):
        return_request(
            order=unsent, line_id=unsent.lines.get().pk, kind="return", quantity=1,
            reason="changed-mind",
        )  # fmt: skip
    assert not ReturnRequest.objects.exists()


def test_the_returns_policy_is_linked_from_every_page_and_states_the_law(demo):
    page = Client().get("/returns-policy/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "always repaired, replaced or refunded" in text and "Within 30 days" in text
    assert "no refund" not in text.lower()
    assert 'href="/returns-policy/"' in Client().get("/").content.decode()
    shopper = Client()
    add_to_basket(shopper, "LT-3-TIT")
    shopper.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})
    checkout = shopper.get("/checkout/shipping-address/").content.decode()
    assert 'href="/returns-policy/"' in checkout  # before anyone pays


@pytest.mark.postgres
def test_two_customers_exchanging_into_the_last_unit_at_once_one_gets_it(committed_demo):
    StockRecord.objects.filter(partner_sku="LT-4-TIT").update(num_in_stock=1, num_allocated=0)
    orders = [_shipped(order_placed(Client(), f"buyer{n}@example.com")) for n in range(2)]
    last_unit = int(_replacement())

    def exchange(order):
        return_request(
            order=order, line_id=order.lines.get().pk, kind="exchange", quantity=1,
            reason="too-small", replacement_id=last_unit,
        )  # fmt: skip

    errors = at_once([lambda o=order: exchange(o) for order in orders])

    assert [str(e) for e in errors] == [
        "Sorry, LumboTrain Back Support, size 4, titanium has just sold out. You can ask to be "
        "e-mailed when it is back, or return this one for a refund."
    ]
    assert ReturnRequest.objects.count() == 1
    assert _stock("LT-4-TIT") == (1, 1)


def test_the_manager_works_a_return_from_the_queue_to_its_credit_note(guest):
    order, customer, status_page = guest
    line = order.lines.get()
    _ask(customer, status_page, line, kind="return", reason="too-large")
    request = ReturnRequest.objects.get()
    manager = Client()
    manager.force_login(get_user_model().objects.get(email="shop@example.com"))
    detail = f"/dashboard/returns/{request.pk}/"

    queue = manager.get("/dashboard/returns/").content.decode()
    assert f'href="{detail}"' in queue and request.reference in queue
    assert "<td>LumboTrain Back Support, size 3, titanium</td>" in queue  # the 90-day report
    refused = manager.post(detail, {"status": "rejected", "message": ""})
    assert refused.status_code == 400 and "Say why it is rejected" in refused.content.decode()
    assert manager.post(detail, {"status": "approved"}).status_code == 302
    assert manager.post(detail, {"status": "approved"}).status_code == 400  # already approved
    assert manager.post(detail, {"status": "received"}).status_code == 302

    refund_url = f"/dashboard/orders/{order.number}/refund/?return={request.pk}"
    assert f'href="{refund_url}"' in manager.get(detail).content.decode().replace("&amp;", "&")
    form = manager.get(refund_url).content.decode()
    assert f'name="line_{line.pk}" value="1"' in form
    assert f'value="Return {request.reference}: Too large"' in form
    refunded = manager.post(
        f"/dashboard/orders/{order.number}/refund/",
        {"return": request.pk, f"line_{line.pk}": "1", "reason": "Returned: too large"},
    )

    assert refunded.status_code == 302
    note = Document.objects.credit_notes().get()
    request.refresh_from_db()
    assert request.status == "refunded" and note.amount == line.line_price_incl_tax
    assert request.steps.last().message == f"Credit note {note.display_number}"
    assert (
        manager.get(f"/dashboard/orders/{order.number}/refund/?return={request.pk}").status_code
        == 404
    )


def test_only_the_shop_manager_works_returns(demo):
    for email, status in [("shop@example.com", 200), ("editor@example.com", 403),
                          ("officer@example.com", 403), ("lead@example.com", 403)]:  # fmt: skip
        staff = Client()
        staff.force_login(get_user_model().objects.get(email=email))
        assert staff.get("/dashboard/returns/").status_code == status, email
    assert Client().get("/dashboard/returns/").status_code == 302

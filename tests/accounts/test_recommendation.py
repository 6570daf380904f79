"""The expert recommends supports in given sizes after a call; the customer is e-mailed them
and puts every one in the basket with one button (consultations.Recommendation, accounts/)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from oscar.core.loading import get_model

from consultations.models import Recommendation
from core.clock import now
from core.outbox import deliver
from tests.factories import BookingFactory, ExpertFactory

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
NOTE = "Wear it snug; ZQX-NOTE-8811"


@pytest.fixture
def call(db, load_demo):
    """Anna's call with Mia, started ten minutes ago."""
    load_demo()
    anna = ExpertFactory(display_name="Anna", user__role="Consultation expert")
    return BookingFactory(
        confirmed=True,
        expert=anna,
        starts_at=now() - timedelta(minutes=10),
        name="Mia",
        email="mia@example.com.au",
    )


@pytest.fixture
def two_sizes(call):
    in_stock = Product.objects.filter(
        structure="child", parent__upc="LUMBOTRAIN", stockrecords__num_in_stock__gte=5
    )
    variants = in_stock.order_by("pk")
    return variants[0], variants[1]


def _recommend(client, booking, products, quantities=(1, 2), note=NOTE):
    data = {"action": "recommend", "note": note}
    for n, (product, quantity) in enumerate(zip(products, quantities, strict=False), start=1):
        data[f"product_{n}"], data[f"quantity_{n}"] = product.pk, quantity
    return client.post(f"/dashboard/consultations/bookings/{booking.pk}/", data)


def _emailed_link(booking) -> str:
    deliver(kind="booking.recommendation", pk=booking.recommendation.pk)
    message = mail.outbox[-1]
    assert message.to == [booking.email]
    return urlsplit(re.search(r"https?://\S+/accounts/recommendation/\S+/", message.body)[0]).path


def test_the_expert_recommends_two_sizes_and_the_customer_baskets_both_in_one_click(
    call, two_sizes
):
    staff = Client()
    staff.force_login(call.expert.user)
    response = _recommend(staff, call, two_sizes)
    assert response.status_code == 302
    call.refresh_from_db()

    # the customer is e-mailed both supports and the basket link
    link = _emailed_link(call)
    message = mail.outbox[-1]
    for product in two_sizes:
        assert product.get_title() in message.body
    # and sees them on their call's page
    assert two_sizes[0].get_title() in Client().get(call.get_absolute_url()).content.decode()

    # one click puts both in the basket, in the chosen sizes and quantities
    customer = Client()
    assert customer.get(link).status_code == 200
    response = customer.post(link)
    assert response.status_code == 302 and response["Location"].endswith("/basket/")
    basket = customer.get("/basket/").content.decode()
    for product in two_sizes:
        assert product.get_title() in basket
    lines = customer.get("/basket/").context["basket"].all_lines()
    assert sorted((line.product_id, line.quantity) for line in lines) == sorted(
        [(two_sizes[0].pk, 1), (two_sizes[1].pk, 2)]
    )


def test_a_sold_out_size_is_not_added_and_the_page_says_so(call, two_sizes):
    staff = Client()
    staff.force_login(call.expert.user)
    _recommend(staff, call, two_sizes)
    StockRecord.objects.filter(product=two_sizes[1]).update(num_in_stock=0, num_allocated=0)
    link = _emailed_link(Recommendation.objects.get().booking)

    customer = Client()
    assert "Sold out in this size" in customer.get(link).content.decode()
    page = customer.post(link, follow=True).content.decode()
    assert "sold out in that size" in page
    lines = customer.get("/basket/").context["basket"].all_lines()
    assert [line.product_id for line in lines] == [two_sizes[0].pk]


def test_nothing_can_be_recommended_before_the_call_starts(call, two_sizes):
    call.starts_at = now() + timedelta(days=1)
    call.ends_at = call.starts_at + timedelta(minutes=30)
    call.save()
    staff = Client()
    staff.force_login(call.expert.user)
    page = staff.get(f"/dashboard/consultations/bookings/{call.pk}/").content.decode()
    assert "Recommend supports" not in page
    response = _recommend(staff, call, two_sizes)
    assert response.status_code == 409
    assert not Recommendation.objects.exists()


def test_the_form_asks_for_a_support_and_keeps_what_was_typed(call):
    staff = Client()
    staff.force_login(call.expert.user)
    response = staff.post(
        f"/dashboard/consultations/bookings/{call.pk}/",
        {"action": "recommend", "note": "Keep this note", "quantity_1": "1"},
    )
    assert response.status_code == 400
    assert "Keep this note" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_the_basket_link_is_refused_after_thirty_days_and_for_made_up_tokens(
    call, two_sizes, clock, settings
):
    staff = Client()
    staff.force_login(call.expert.user)
    _recommend(staff, call, two_sizes)
    link = _emailed_link(Recommendation.objects.get().booking)

    clock.set(now() + timedelta(days=settings.RECOMMENDATION_DAYS, minutes=1))
    customer = Client()
    assert customer.get(link).status_code == 410
    assert customer.post(link).status_code == 410
    clock.stop()
    assert not customer.get("/basket/").context["basket"].all_lines()
    assert Client().get("/accounts/recommendation/made-up-token/").status_code == 404


def test_the_note_is_encrypted_at_rest(call, two_sizes):
    staff = Client()
    staff.force_login(call.expert.user)
    _recommend(staff, call, two_sizes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM consultations_recommendation")
        stored = cursor.fetchone()[0]
    assert "ZQX-NOTE-8811" not in stored
    assert Recommendation.objects.get().note == NOTE


def test_the_order_that_follows_is_attributed_to_the_call(call, two_sizes):
    from tests.shop.checkout_steps import checkout_as_guest, place_order

    staff = Client()
    staff.force_login(call.expert.user)
    _recommend(staff, call, two_sizes)
    link = _emailed_link(Recommendation.objects.get().booking)

    customer = Client()
    customer.post(link)
    checkout_as_guest(customer)
    assert place_order(customer).status_code == 302

    Order = get_model("order", "Order")
    order = Order.objects.get()
    assert list(Recommendation.objects.get().orders.all()) == [order]
    page = staff.get(f"/dashboard/consultations/bookings/{call.pk}/").content.decode()
    assert f"Orders that followed: {order.number}" in page
    # an order placed later without the recommendation is not counted
    assert "accounts.recommended_call" not in customer.session

"""The last unit of a size is sold once, however many customers press "Place order" at once."""

import threading

from django.db import connection
from django.test import Client
from oscar.core.loading import get_model

from tests.shop.checkout_steps import add_to_basket, checkout_as_guest, place_order

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

CUSTOMERS = 10


def _one_left(upc):
    record = StockRecord.objects.get(product__upc=upc)
    StockRecord.objects.filter(pk=record.pk).update(num_in_stock=1, num_allocated=0)
    return record


def test_ten_customers_buying_the_last_unit_at_once_make_one_order(committed_db, load_demo):
    # given the last unit of a size, in ten customers' baskets, each at the final step
    load_demo()
    record = _one_left("LT-3-TIT")
    customers = [Client() for _ in range(CUSTOMERS)]
    for n, customer in enumerate(customers):
        add_to_basket(customer, "LT-3-TIT")
        checkout_as_guest(customer, email=f"customer{n}@example.com.au")

    # when they all place their order at the same moment
    start = threading.Barrier(CUSTOMERS)
    responses = [None] * CUSTOMERS

    def buy(n):
        start.wait()
        try:
            responses[n] = place_order(customers[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(CUSTOMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one order is placed...
    won = [r.status_code == 302 and r["Location"] == "/checkout/thank-you/" for r in responses]
    assert won.count(True) == 1
    assert Order.objects.count() == 1
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (1, 1)
    # ...and everyone else is told plainly why not: refused at the allocation itself (409),
    # or, when the winner had already committed, by Oscar's basket check before it
    for customer, response, winner in zip(customers, responses, won, strict=True):
        if winner:
            continue
        if response.status_code == 409:
            html = response.content.decode()
            assert "has just sold out" in html and "nothing has been charged" in html
        else:
            assert (response.status_code, response["Location"]) == (302, "/basket/")
            html = customer.get("/basket/").content.decode()
            assert "no longer available" in html or "no stock available" in html


def test_a_customer_whose_size_sold_out_meanwhile_keeps_their_basket(client, db, load_demo):
    load_demo()
    record = _one_left("LT-3-TIT")
    add_to_basket(client, "LT-3-TIT")
    checkout_as_guest(client)
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=1)  # someone else bought it

    response = client.post("/checkout/preview/", {"action": "place_order"}, follow=True)

    # Oscar's own check, before any order is attempted, sends them back to the basket
    assert response.redirect_chain == [("/basket/", 302)]
    html = response.content.decode()
    assert "LumboTrain Back Support, size 3, titanium" in html
    assert "no longer available" in html or "no stock available" in html
    assert Order.objects.count() == 0
    assert response.context["basket"].num_items == 1

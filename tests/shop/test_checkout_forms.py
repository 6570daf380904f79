"""The checkout's address form speaks Australian."""

import re

import pytest

from tests.shop.checkout_steps import add_to_basket


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def test_the_shipping_address_form_asks_for_a_postcode(client, demo):
    # given a guest with the LumboTrain in their basket, past the checkout's gateway
    add_to_basket(client, "LT-3-TIT")
    client.post("/checkout/", {"username": "mia@example.com.au", "options": "anonymous"})

    # when they open the address step
    html = client.get("/checkout/shipping-address/").content.decode()

    # then the postcode box is labelled the Australian way (not Oscar's "Post/Zip-code")
    label = re.search(r'<label for="id_postcode"[^>]*>\s*(.*?)\s*</label>', html, re.S)
    assert label is not None
    assert label.group(1) == "Postcode"
    assert "Zip" not in html

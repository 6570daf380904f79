"""AUD shelf prices include GST; the GST component is shown and always adds up to the cent."""

from decimal import Decimal as D

import pytest
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_product

from shop.gst import gst_component, split_gst

Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")


@pytest.mark.parametrize(
    ("incl", "excl", "gst"),
    [
        (D("289.95"), D("263.59"), D("26.36")),  # 26.359... rounds up
        (D("110.00"), D("100.00"), D("10.00")),
        (D("59.95"), D("54.50"), D("5.45")),  # 5.45 exactly
        (D("0.05"), D("0.05"), D("0.00")),  # 0.0045 rounds down
        (D("0.06"), D("0.05"), D("0.01")),  # 0.0054 rounds up
        (D("0.00"), D("0.00"), D("0.00")),
    ],
)
def test_gst_is_one_eleventh_of_the_shelf_price_to_the_cent(incl, excl, gst):
    assert split_gst(incl) == (excl, gst)
    assert excl + gst == incl


def test_half_a_cent_of_gst_rounds_up():
    assert gst_component(D("0.055")) == D("0.01")  # 0.005 exactly


@pytest.fixture
def strategy():
    return Selector().strategy()


def _product(price, stock=10, **kwargs):
    product = create_product(price=price, num_in_stock=stock, **kwargs)
    return product


def test_product_price_is_the_shelf_price_in_aud_with_gst_inside(db, strategy):
    product = _product(D("289.95"))

    price = strategy.fetch_for_product(product).price

    assert price.currency == "AUD"
    assert price.incl_tax == D("289.95")
    assert price.tax == D("26.36")
    assert price.excl_tax == D("263.59")


def test_parent_product_shows_the_price_of_its_cheapest_variant(db, strategy):
    parent = create_product(structure="parent", title="LumboTrain Back Support")
    for price in ("299.95", "289.95", "299.95"):
        _product(D(price), parent=parent)

    price = strategy.fetch_for_parent(parent).price

    assert price.incl_tax == D("289.95")


def test_basket_totals_add_up_across_several_lines(db, strategy):
    # given three lines whose GST each rounds differently
    basket = Basket.objects.create()
    basket.strategy = strategy
    for price, quantity in (("289.95", 1), ("59.95", 3), ("89.99", 2)):
        basket.add_product(_product(D(price)), quantity=quantity)

    # then the total is what the shelf prices add up to, and GST is the sum of the lines' GST
    assert basket.total_incl_tax == D("289.95") + 3 * D("59.95") + 2 * D("89.99")
    assert basket.total_tax == D("26.36") + 3 * D("5.45") + 2 * D("8.18")
    assert basket.total_excl_tax + basket.total_tax == basket.total_incl_tax
    assert basket.is_tax_known


def test_product_out_of_stock_cannot_be_bought(db, strategy):
    product = _product(D("59.95"), stock=0)

    availability = strategy.fetch_for_product(product).availability

    assert not availability.is_available_to_buy

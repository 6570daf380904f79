"""Bad input to the basket: a clear message and a 4xx, never a 500, the basket left as it was and
what the customer typed shown back to them."""

import html
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from oscar.core.loading import get_model
from oscar.test import factories

Product = get_model("catalogue", "Product")
Line = get_model("basket", "Line")

QUANTITY_REQUIRED = "Enter a quantity."
QUANTITY_NOT_WHOLE = "Enter the quantity as a whole number, for example 2."
QUANTITY_BELOW_ONE = "Enter a quantity of 1 or more."
OVER_THRESHOLD = "we are not able to ship more than 10000 items in one order"
CHOOSE_VARIANT = "Choose a size and colour from the list."
BASKET_MISMATCH = "Your basket was not updated because the form did not match the items in it."
BASKET_ISSUES = "Your basket has got some issues. Please correct any validation errors below."


@pytest.fixture
def demo(db, load_demo):
    load_demo()


def _pk(upc):
    return Product.objects.get(upc=upc).pk


def _text(response):
    """The page as a customer reads it: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _lines():
    return sorted(Line.objects.values_list("basket_id", "product__upc", "quantity"))


def _input(response, name):
    """The <input> named `name`, as rendered."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', response.content.decode())[0]


# Adding to the basket: POST /basket/add/<pk>/


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", QUANTITY_BELOW_ONE),
        ("0", QUANTITY_BELOW_ONE),
        ("100000", OVER_THRESHOLD),
        (str(10**30), OVER_THRESHOLD),
        ("two", QUANTITY_NOT_WHOLE),
        ("1e3", QUANTITY_NOT_WHOLE),
        ("1.5", QUANTITY_NOT_WHOLE),
        ("", QUANTITY_REQUIRED),
        (None, QUANTITY_REQUIRED),
    ],
)
def test_impossible_quantity_is_refused_on_the_product_page_with_the_typed_value(
    client, demo, typed, message
):
    # Given a product in stock and a quantity that cannot be bought
    data = {} if typed is None else {"quantity": typed}

    # When the customer adds it to the basket
    response = client.post(f"/basket/add/{_pk('GENUTRAIN')}/", data)

    # Then the product page answers 400 with the reason, the typed quantity is kept in the
    # form, and nothing reaches the basket
    assert response.status_code == 400
    assert message in _text(response)
    assert "GenuTrain Knee Support" in _text(response)
    assert 'id="add_to_basket_form"' in response.content.decode()
    if typed:
        assert f'value="{typed}"' in _input(response, "quantity")
    assert _lines() == []


def _child_of_another_parent():
    other_parent = factories.create_product(structure="parent", upc="OTHER")
    return factories.create_product(
        structure="child", parent=other_parent, upc="OTHER-1", price=D("10.00"), num_in_stock=5
    ).pk


@pytest.mark.parametrize(
    ("child_id", "message"),
    [
        (lambda: "999999", CHOOSE_VARIANT),
        (_child_of_another_parent, CHOOSE_VARIANT),
        (lambda: "abc", CHOOSE_VARIANT),
        (lambda: None, CHOOSE_VARIANT),
        (lambda: _pk("LT-1-TIT"), "no stock available"),  # Oscar's availability message
        (lambda: _pk("LT-7-BLK"), "no stock available"),
    ],
    ids=[
        "no-such-product",
        "another-parents-child",
        "not-a-number",
        "none",
        "sold-out",
        "sold-out-too",
    ],
)
def test_size_that_cannot_be_bought_is_refused_with_one_clear_message(
    client, demo, child_id, message
):
    # Given the LumboTrain and a size that does not exist, belongs elsewhere or is sold out
    chosen = child_id()
    data = {"quantity": "1"} | ({} if chosen is None else {"child_id": chosen})

    # When the customer adds it to the basket
    response = client.post(f"/basket/add/{_pk('LUMBOTRAIN')}/", data)

    # Then the LumboTrain page answers 400 with the one reason that matters
    assert response.status_code == 400
    assert message in _text(response)
    assert "price could not be determined" not in _text(response)
    assert "LumboTrain" in _text(response)
    assert _lines() == []


def test_more_than_the_stock_of_a_size_is_refused_with_oscars_availability_message(client, demo):
    # Given the LumboTrain size with 2 left, already once in the basket
    parent, child = _pk("LUMBOTRAIN"), _pk("LT-3-BLK")
    client.post(f"/basket/add/{parent}/", {"child_id": child, "quantity": "1"})
    before = _lines()

    # When the customer adds 2 more
    response = client.post(f"/basket/add/{parent}/", {"child_id": child, "quantity": "2"})

    # Then it is refused with the stock that is left, and the basket keeps the one
    assert response.status_code == 400
    assert "a maximum of 2 can be bought" in _text(response)
    assert [qty for *_, qty in before] == [1]
    assert _lines() == before


def test_adding_a_product_that_does_not_exist_is_not_found(client, demo):
    response = client.post("/basket/add/999999/", {"quantity": "1"})

    assert response.status_code == 404
    assert _lines() == []


def test_a_possible_quantity_is_still_added_and_redirects(client, demo):
    response = client.post(
        f"/basket/add/{_pk('LUMBOTRAIN')}/", {"child_id": _pk("LT-3-BLK"), "quantity": "2"}
    )

    assert response.status_code == 302
    assert [(upc, qty) for _, upc, qty in _lines()] == [("LT-3-BLK", 2)]


# The basket page: POST /basket/ with a formset of lines


@pytest.fixture
def line(client, demo):
    """One GenuTrain (18 in stock) in this client's basket."""
    client.post(f"/basket/add/{_pk('GENUTRAIN')}/", {"quantity": "1"})
    return Line.objects.get()


@pytest.fixture
def their_line(demo):
    """A line in another customer's basket."""
    Client().post(f"/basket/add/{_pk('GENUTRAIN-P3')}/", {"quantity": "1"})
    return Line.objects.get(product__upc="GENUTRAIN-P3")


def _basket_form(line, **changes):
    """What the basket page posts for `line`; a change of None leaves the field out."""
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(line.pk),
        "form-0-quantity": "2",
    } | {key.replace("__", "-"): value for key, value in changes.items()}
    return {key: value for key, value in data.items() if value is not None}


def test_a_possible_quantity_still_updates_the_line(client, line):
    response = client.post("/basket/", _basket_form(line, form__0__quantity="3"))

    assert response.status_code == 302
    assert Line.objects.get().quantity == 3


@pytest.mark.parametrize(
    "tampering",
    [
        {
            "form__TOTAL_FORMS": None,
            "form__INITIAL_FORMS": None,
            "form__MIN_NUM_FORMS": None,
            "form__MAX_NUM_FORMS": None,
        },
        {"form__TOTAL_FORMS": "abc"},
        {"form__0__id": None},
        {"form__0__id": "999999"},
        {"form__0__id": "abc"},
        {"form__TOTAL_FORMS": "3"},
        {"form__TOTAL_FORMS": "3", "form__INITIAL_FORMS": "3"},
    ],
    ids=[
        "no-management-form",
        "total-not-a-number",
        "no-line-id",
        "missing-line",
        "line-id-not-a-number",
        "more-forms-than-lines",
        "more-initial-forms-than-lines",
    ],
)
def test_basket_post_that_does_not_match_the_lines_is_refused(client, line, tampering):
    # Given a basket of one GenuTrain
    before = _lines()

    # When a post arrives whose forms do not match the basket's lines
    response = client.post("/basket/", _basket_form(line, **tampering))

    # Then the basket page answers 400 with the reason and shows the basket as it is
    assert response.status_code == 400
    assert BASKET_MISMATCH in _text(response)
    assert 'value="1"' in _input(response, "form-0-quantity")
    assert _lines() == before


@pytest.mark.parametrize("delete", [None, "on"])
def test_another_customers_line_can_be_neither_changed_nor_deleted(
    client, line, their_line, delete
):
    # Given my basket and another customer's
    before = _lines()

    # When my post names their line
    response = client.post(
        "/basket/", _basket_form(line, form__0__id=str(their_line.pk), form__0__DELETE=delete)
    )

    # Then it is refused and both baskets are as they were
    assert response.status_code == 400
    assert BASKET_MISMATCH in _text(response)
    assert _lines() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("two", "Enter a whole number."),
        ("1.5", "Enter a whole number."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("19", "a maximum of 18 can be bought"),  # Oscar's availability message
        ("100000", "a maximum of 18 can be bought"),
        (str(10**30), "a maximum of 18 can be bought"),
    ],
)
def test_impossible_line_quantity_is_refused_with_the_typed_value_shown(
    client, line, typed, message
):
    # Given a basket of one GenuTrain, 18 in stock
    before = _lines()

    # When the customer changes its quantity to something that cannot be bought
    response = client.post("/basket/", _basket_form(line, form__0__quantity=typed))

    # Then the basket page answers 400, says why next to the field, and keeps what was typed
    assert response.status_code == 400
    assert BASKET_ISSUES in _text(response)
    assert message in _text(response)
    assert f'value="{typed}"' in _input(response, "form-0-quantity")
    assert _lines() == before


def test_removing_one_line_while_another_is_invalid_without_form_limits_is_refused(client, line):
    # Given two lines, and a post that removes one, has a bad quantity for the other and
    # leaves out the optional MIN/MAX management fields
    client.post(f"/basket/add/{_pk('GENUTRAIN-S')}/", {"quantity": "1"})
    first, second = Line.objects.order_by("pk")
    before = _lines()
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(first.pk),
        "form-0-quantity": "1",
        "form-0-DELETE": "on",
        "form-1-id": str(second.pk),
        "form-1-quantity": "two",
    }

    # When it is posted
    response = client.post("/basket/", data)

    # Then nothing is removed or changed, and the customer is told why
    assert response.status_code == 400
    assert BASKET_MISMATCH in _text(response)
    assert _lines() == before


def test_removing_one_line_while_another_is_invalid_removes_it_and_shows_the_error(client, line):
    # Given two lines, and the basket page's own post removing one and mistyping the other
    client.post(f"/basket/add/{_pk('GENUTRAIN-S')}/", {"quantity": "1"})
    first, second = Line.objects.order_by("pk")
    data = _basket_form(first, form__TOTAL_FORMS="2", form__INITIAL_FORMS="2", form__0__DELETE="on")
    data |= {"form-1-id": str(second.pk), "form-1-quantity": "two"}

    # When it is posted
    response = client.post("/basket/", data)

    # Then Oscar's handling stands: the removal is made, the mistyped line is shown back at 400
    assert response.status_code == 400
    assert [(upc, qty) for _, upc, qty in _lines()] == [("GENUTRAIN-S", 1)]
    assert 'value="two"' in _input(response, "form-0-quantity")


def test_tampered_post_from_a_visitor_without_a_basket_is_refused(client, demo):
    response = client.post("/basket/", {"form-0-id": "1", "form-0-quantity": "2"})

    assert response.status_code == 400
    assert BASKET_MISMATCH in _text(response)
    assert _lines() == []


def test_basket_script_gets_the_refusal_as_json_it_can_show(client, line):
    # Given the basket page's own script, which expects JSON with the messages
    headers = {"x-requested-with": "XMLHttpRequest"}

    # When it posts a form that no longer matches the lines
    response = client.post("/basket/", _basket_form(line, form__0__id="999999"), headers=headers)

    # Then it gets the message and the basket as it is, and nothing changes
    assert response.status_code == 200
    assert BASKET_MISMATCH in response.json()["messages"]["error"][0]
    assert Line.objects.get().quantity == 1
